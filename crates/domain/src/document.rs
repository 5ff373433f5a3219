//! Files: a tender's documents and a bid's attachments. What a file is, is decided by its
//! content (magic bytes, an office file's zip directory, text that is wholly UTF-8), never by the
//! name or media type a client sends; names are reduced to a safe base name; sizes are bounded.

use crate::DomainError;

/// The largest file accepted: 25 MiB.
pub const FILE_MAX_BYTES: u64 = 25 * 1024 * 1024;
/// The most attachments one bid may carry at a time.
pub const BID_FILES_MAX: usize = 20;
/// The most bytes one bid's attachments may hold together: 100 MiB.
pub const BID_BYTES_MAX: u64 = 100 * 1024 * 1024;
/// The longest document or attachment title.
pub const TITLE_MAX: usize = 200;

/// What a tender document is, in the OCDS `documentType` codelist.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DocumentType {
    BiddingDocuments,
    TechnicalSpecifications,
    EvaluationCriteria,
    ContractDraft,
    Clarifications,
    Other,
}

codes!(DocumentType, "/document_type", "is not a document type: give biddingDocuments, technicalSpecifications, evaluationCriteria, contractDraft, clarifications or other", {
    BiddingDocuments => "biddingDocuments",
    TechnicalSpecifications => "technicalSpecifications",
    EvaluationCriteria => "evaluationCriteria",
    ContractDraft => "contractDraft",
    Clarifications => "clarifications",
    Other => "other",
});

/// The kinds of file accepted, each known by its content.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FileKind {
    Pdf,
    Docx,
    Xlsx,
    Pptx,
    Odt,
    Ods,
    Csv,
    Text,
    Png,
    Jpeg,
}

impl FileKind {
    /// The media type the file is stored and served as.
    pub const fn media_type(self) -> &'static str {
        match self {
            Self::Pdf => "application/pdf",
            Self::Docx => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            Self::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            Self::Pptx => {
                "application/vnd.openxmlformats-officedocument.presentationml.presentation"
            }
            Self::Odt => "application/vnd.oasis.opendocument.text",
            Self::Ods => "application/vnd.oasis.opendocument.spreadsheet",
            Self::Csv => "text/csv",
            Self::Text => "text/plain",
            Self::Png => "image/png",
            Self::Jpeg => "image/jpeg",
        }
    }

    /// The file name endings that fit the kind, the usual one first.
    pub const fn extensions(self) -> &'static [&'static str] {
        match self {
            Self::Pdf => &["pdf"],
            Self::Docx => &["docx"],
            Self::Xlsx => &["xlsx"],
            Self::Pptx => &["pptx"],
            Self::Odt => &["odt"],
            Self::Ods => &["ods"],
            Self::Csv => &["csv"],
            Self::Text => &["txt", "text", "md"],
            Self::Png => &["png"],
            Self::Jpeg => &["jpg", "jpeg"],
        }
    }

    /// The kind stored as `media_type`.
    pub fn from_media_type(media_type: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.media_type() == media_type)
    }

    pub const ALL: [Self; 10] = [
        Self::Pdf,
        Self::Docx,
        Self::Xlsx,
        Self::Pptx,
        Self::Odt,
        Self::Ods,
        Self::Csv,
        Self::Text,
        Self::Png,
        Self::Jpeg,
    ];
}

/// What the refusal of an unknown kind says.
pub const ACCEPTED_KINDS: &str = "PDF, Word (DOCX), Excel (XLSX), PowerPoint (PPTX), OpenDocument text or spreadsheet, CSV, \
     plain text, PNG or JPEG";

/// How much of a file's start and end the sniffer keeps: enough for any magic number, and for
/// the zip central directory of any office document of reasonable size.
const HEAD_BYTES: usize = 4096;
const TAIL_BYTES: usize = 256 * 1024;

/// Reads a file as it streams past, once, keeping only its start, its end and whether it is
/// all text; [`Sniffer::kind`] then says what it is.
#[derive(Debug, Default)]
pub struct Sniffer {
    head: Vec<u8>,
    tail: Vec<u8>,
    size: u64,
    text: TextScan,
}

impl Sniffer {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn feed(&mut self, chunk: &[u8]) {
        self.size += chunk.len() as u64;
        if self.head.len() < HEAD_BYTES {
            let take = (HEAD_BYTES - self.head.len()).min(chunk.len());
            self.head.extend_from_slice(&chunk[..take]);
        }
        if chunk.len() >= TAIL_BYTES {
            self.tail.clear();
            self.tail
                .extend_from_slice(&chunk[chunk.len() - TAIL_BYTES..]);
        } else {
            let overflow = (self.tail.len() + chunk.len()).saturating_sub(TAIL_BYTES);
            self.tail.drain(..overflow);
            self.tail.extend_from_slice(chunk);
        }
        self.text.feed(chunk);
    }

    /// How many bytes were fed.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// What the content is, with the name sent only telling CSV from other text; `None` for
    /// anything not accepted (an executable renamed `.pdf` is not a PDF).
    pub fn kind(&self, file_name: &str) -> Option<FileKind> {
        let head = self.head.as_slice();
        if head.starts_with(b"%PDF-") {
            return Some(FileKind::Pdf);
        }
        if head.starts_with(b"\x89PNG\r\n\x1a\n") {
            return Some(FileKind::Png);
        }
        if head.starts_with(&[0xFF, 0xD8, 0xFF]) {
            return Some(FileKind::Jpeg);
        }
        if head.starts_with(b"PK\x03\x04") {
            return opendocument(head).or_else(|| {
                // The whole file is in the tail when it is small; otherwise the tail must hold
                // the directory, which `zip_entry_names` checks.
                let names = zip_entry_names(&self.tail)?;
                office_open_xml(&names)
            });
        }
        if self.size > 0 && self.text.is_text() {
            let csv = extension(file_name).is_some_and(|e| e.eq_ignore_ascii_case("csv"));
            return Some(if csv { FileKind::Csv } else { FileKind::Text });
        }
        None
    }
}

/// An OpenDocument file starts with an uncompressed `mimetype` entry naming its type.
fn opendocument(head: &[u8]) -> Option<FileKind> {
    let name = head.get(30..38)?;
    let stored = u16::from_le_bytes([*head.get(8)?, *head.get(9)?]) == 0;
    let name_len = u16::from_le_bytes([*head.get(26)?, *head.get(27)?]);
    if name_len != 8 || name != b"mimetype" || !stored {
        return None;
    }
    let size = u32::from_le_bytes(head.get(18..22)?.try_into().ok()?) as usize;
    let extra = u16::from_le_bytes([*head.get(28)?, *head.get(29)?]) as usize;
    let start = 38 + extra;
    let content = head.get(start..start.checked_add(size)?)?;
    match content {
        b"application/vnd.oasis.opendocument.text" => Some(FileKind::Odt),
        b"application/vnd.oasis.opendocument.spreadsheet" => Some(FileKind::Ods),
        _ => None,
    }
}

/// An Office Open XML package is a zip with `[Content_Types].xml` and its main part.
fn office_open_xml(names: &[String]) -> Option<FileKind> {
    let has = |wanted: &str| names.iter().any(|n| n == wanted);
    if !has("[Content_Types].xml") {
        return None;
    }
    [
        ("word/document.xml", FileKind::Docx),
        ("xl/workbook.xml", FileKind::Xlsx),
        ("ppt/presentation.xml", FileKind::Pptx),
    ]
    .into_iter()
    .find(|(part, _)| has(part))
    .map(|(_, kind)| kind)
}

/// The entry names in a zip's central directory, read from the file's last bytes (the end of
/// central directory record and the directory before it); `None` when the bytes hold no whole
/// directory.
pub fn zip_entry_names(tail: &[u8]) -> Option<Vec<String>> {
    const END: &[u8] = b"PK\x05\x06";
    const ENTRY: &[u8] = b"PK\x01\x02";
    // The end record is 22 bytes plus a comment of up to 64 KiB: search backwards for it.
    let end = (0..=tail.len().checked_sub(22)?)
        .rev()
        .find(|&i| tail[i..].starts_with(END))?;
    let record = &tail[end..];
    let entries = u16::from_le_bytes([record[10], record[11]]) as usize;
    let dir_size = u32::from_le_bytes(record[12..16].try_into().ok()?) as usize;
    let dir_start = end.checked_sub(dir_size)?;
    let mut at = dir_start;
    let mut names = Vec::with_capacity(entries.min(4096));
    for _ in 0..entries {
        let header = tail.get(at..at + 46)?;
        if !header.starts_with(ENTRY) {
            return None;
        }
        let name_len = u16::from_le_bytes([header[28], header[29]]) as usize;
        let extra_len = u16::from_le_bytes([header[30], header[31]]) as usize;
        let comment_len = u16::from_le_bytes([header[32], header[33]]) as usize;
        let name = tail.get(at + 46..at + 46 + name_len)?;
        names.push(String::from_utf8_lossy(name).into_owned());
        at += 46 + name_len + extra_len + comment_len;
    }
    Some(names)
}

/// Whether a stream of bytes is all UTF-8 text with no control characters but tab, line
/// breaks and form feed, checked chunk by chunk (a character may span two chunks).
#[derive(Debug)]
struct TextScan {
    pending: Vec<u8>,
    text: bool,
}

impl Default for TextScan {
    fn default() -> Self {
        Self {
            pending: Vec::new(),
            text: true,
        }
    }
}

impl TextScan {
    fn feed(&mut self, chunk: &[u8]) {
        if !self.text {
            return;
        }
        let mut bytes = std::mem::take(&mut self.pending);
        bytes.extend_from_slice(chunk);
        let valid = match std::str::from_utf8(&bytes) {
            Ok(text) => text,
            // An incomplete character at the very end waits for the next chunk.
            Err(e) if e.error_len().is_none() && bytes.len() - e.valid_up_to() < 4 => {
                self.pending = bytes[e.valid_up_to()..].to_vec();
                std::str::from_utf8(&bytes[..e.valid_up_to()]).unwrap_or_default()
            }
            Err(_) => {
                self.text = false;
                return;
            }
        };
        if valid
            .chars()
            .any(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r' | '\u{c}'))
        {
            self.text = false;
        }
    }

    fn is_text(&self) -> bool {
        self.text && self.pending.is_empty()
    }
}

fn extension(name: &str) -> Option<&str> {
    let (stem, ext) = name.rsplit_once('.')?;
    (!stem.is_empty() && !ext.is_empty()).then_some(ext)
}

/// A file name reduced to a safe base name for `kind`: no directory, only letters, digits,
/// spaces and `.-_()` (anything else becomes `_`), no leading dot, at most 120 characters, and
/// ending as the kind does (a PDF sent as `report.exe` is kept as `report.exe.pdf`).
pub fn safe_file_name(sent: &str, kind: FileKind) -> String {
    let base = sent.rsplit(['/', '\\']).next().unwrap_or_default();
    let mut name: String = base
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, ' ' | '.' | '-' | '_' | '(' | ')') {
                c
            } else {
                '_'
            }
        })
        .collect();
    let trimmed = name
        .trim_start_matches(['.', ' '])
        .trim_end_matches([' ', '.']);
    name = trimmed.to_owned();
    let fits = extension(&name)
        .is_some_and(|e| kind.extensions().iter().any(|k| e.eq_ignore_ascii_case(k)));
    let usual = kind.extensions()[0];
    if name.is_empty() {
        name = "file".to_owned();
    }
    if !fits {
        name = format!("{name}.{usual}");
    }
    if name.chars().count() > 120 {
        let ext = extension(&name).unwrap_or(usual).to_owned();
        let stem: String = name.chars().take(120 - ext.len() - 1).collect();
        name = format!("{stem}.{ext}");
    }
    name
}

/// A document's or an attachment's title: trimmed, non-empty, on one line, at most 200
/// characters.
pub fn title(raw: &str) -> Result<String, DomainError> {
    crate::organisation::bounded_text(raw, "/title", TITLE_MAX)
}

/// Whether one more file of `size` bytes may join a bid that holds `files` files of
/// `bytes` bytes.
pub fn check_bid_room(files: usize, bytes: u64, size: u64) -> Result<(), DomainError> {
    if files >= BID_FILES_MAX {
        return Err(DomainError::conflict(format!(
            "a bid carries at most {BID_FILES_MAX} attachments; delete one first"
        )));
    }
    if bytes + size > BID_BYTES_MAX {
        return Err(DomainError::conflict(format!(
            "a bid's attachments hold at most {} MiB together; this file would bring them to \
             {:.1} MiB",
            BID_BYTES_MAX / 1024 / 1024,
            (bytes + size) as f64 / 1024.0 / 1024.0
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind_of(bytes: &[u8], name: &str) -> Option<FileKind> {
        let mut sniffer = Sniffer::new();
        // Fed in small chunks, as a stream arrives, so that chunk edges are crossed.
        for chunk in bytes.chunks(7) {
            sniffer.feed(chunk);
        }
        sniffer.kind(name)
    }

    /// A stored zip with the named entries (each holding its name), directory and end record.
    fn zip(entries: &[(&str, &[u8])]) -> Vec<u8> {
        let mut out = Vec::new();
        let mut directory = Vec::new();
        for (name, content) in entries {
            let offset = out.len() as u32;
            let size = content.len() as u32;
            out.extend_from_slice(b"PK\x03\x04");
            out.extend_from_slice(&[20, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
            out.extend_from_slice(&0u32.to_le_bytes()); // crc, unchecked here
            out.extend_from_slice(&size.to_le_bytes());
            out.extend_from_slice(&size.to_le_bytes());
            out.extend_from_slice(&(name.len() as u16).to_le_bytes());
            out.extend_from_slice(&0u16.to_le_bytes());
            out.extend_from_slice(name.as_bytes());
            out.extend_from_slice(content);
            directory.extend_from_slice(b"PK\x01\x02");
            directory.extend_from_slice(&[20, 0, 20, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
            directory.extend_from_slice(&0u32.to_le_bytes());
            directory.extend_from_slice(&size.to_le_bytes());
            directory.extend_from_slice(&size.to_le_bytes());
            directory.extend_from_slice(&(name.len() as u16).to_le_bytes());
            directory.extend_from_slice(&[0; 12]);
            directory.extend_from_slice(&offset.to_le_bytes());
            directory.extend_from_slice(name.as_bytes());
        }
        let dir_offset = out.len() as u32;
        out.extend_from_slice(&directory);
        out.extend_from_slice(b"PK\x05\x06");
        out.extend_from_slice(&[0; 4]);
        let count = (entries.len() as u16).to_le_bytes();
        out.extend_from_slice(&count);
        out.extend_from_slice(&count);
        out.extend_from_slice(&(directory.len() as u32).to_le_bytes());
        out.extend_from_slice(&dir_offset.to_le_bytes());
        out.extend_from_slice(&0u16.to_le_bytes());
        out
    }

    #[test]
    fn each_accepted_kind_is_known_by_its_content() {
        let ooxml = |part: &str| {
            zip(&[
                ("[Content_Types].xml", b"<Types/>"),
                ("_rels/.rels", b"<Relationships/>"),
                (part, b"<x/>"),
            ])
        };
        let cases: Vec<(Vec<u8>, &str, FileKind)> = vec![
            (b"%PDF-1.7\n...".to_vec(), "spec.pdf", FileKind::Pdf),
            (b"\x89PNG\r\n\x1a\n....".to_vec(), "a.png", FileKind::Png),
            (vec![0xFF, 0xD8, 0xFF, 0xE0, 0, 0], "a.jpg", FileKind::Jpeg),
            (ooxml("word/document.xml"), "a.docx", FileKind::Docx),
            (ooxml("xl/workbook.xml"), "a.xlsx", FileKind::Xlsx),
            (ooxml("ppt/presentation.xml"), "a.pptx", FileKind::Pptx),
            (
                zip(&[("mimetype", b"application/vnd.oasis.opendocument.text")]),
                "a.odt",
                FileKind::Odt,
            ),
            (
                zip(&[(
                    "mimetype",
                    b"application/vnd.oasis.opendocument.spreadsheet",
                )]),
                "a.ods",
                FileKind::Ods,
            ),
            (b"item,price\nA,1\n".to_vec(), "prices.CSV", FileKind::Csv),
            (
                "Méthode — ✓\r\n\tfin".as_bytes().to_vec(),
                "notes.txt",
                FileKind::Text,
            ),
        ];
        for (bytes, name, kind) in cases {
            assert_eq!(kind_of(&bytes, name), Some(kind), "{name}");
        }
    }

    #[test]
    fn content_that_is_none_of_the_accepted_kinds_is_refused_whatever_its_name() {
        let cases: Vec<(Vec<u8>, &str)> = vec![
            (b"MZ\x90\x00\x03\x00\x00\x00".to_vec(), "setup.pdf"),
            (b"\x7fELF\x02\x01\x01".to_vec(), "spec.docx"),
            (zip(&[("payload.exe", b"MZ")]), "spec.docx"),
            (
                zip(&[("[Content_Types].xml", b"<Types/>"), ("other.xml", b"<x/>")]),
                "a.xlsx",
            ),
            (zip(&[("mimetype", b"application/epub+zip")]), "a.odt"),
            (b"text then a NUL \0 byte".to_vec(), "a.txt"),
            (vec![0xC3, 0x28, b'a'], "bad-utf8.txt"),
            (b"ends mid character \xE2\x82".to_vec(), "cut.txt"),
            (Vec::new(), "empty.txt"),
        ];
        for (bytes, name) in cases {
            assert_eq!(kind_of(&bytes, name), None, "{name}");
        }
    }

    #[test]
    fn a_large_file_is_judged_by_its_start_and_its_end() {
        let mut big = zip(&[
            ("[Content_Types].xml", b"<Types/>"),
            ("word/document.xml", &[b'x'; 600 * 1024]),
        ]);
        assert_eq!(kind_of(&big, "a.docx"), Some(FileKind::Docx));
        let mut text = vec![b'a'; 1024 * 1024];
        text.push(0);
        assert_eq!(kind_of(&text, "a.txt"), None, "a NUL past the start");
        big.truncate(big.len() - 30);
        assert_eq!(kind_of(&big, "a.docx"), None, "no end record");
    }

    #[test]
    fn file_names_are_reduced_to_a_safe_base_name_ending_as_the_content_does() {
        let cases = [
            ("../../etc/passwd.pdf", FileKind::Pdf, "passwd.pdf"),
            ("C:\\Users\\me\\Bid v2.DOCX", FileKind::Docx, "Bid v2.DOCX"),
            ("report.exe", FileKind::Pdf, "report.exe.pdf"),
            ("...hidden.csv", FileKind::Csv, "hidden.csv"),
            (
                "naïve\r\n\"quote\";.txt",
                FileKind::Text,
                "na_ve___quote__.txt",
            ),
            ("", FileKind::Png, "file.png"),
            ("photo.jpeg", FileKind::Jpeg, "photo.jpeg"),
        ];
        for (sent, kind, kept) in cases {
            assert_eq!(safe_file_name(sent, kind), kept, "{sent:?}");
        }
        let long = format!("{}.pdf", "a".repeat(300));
        let kept = safe_file_name(&long, FileKind::Pdf);
        assert_eq!(kept.chars().count(), 120);
        assert!(kept.ends_with(".pdf"));
    }

    #[test]
    fn a_bid_holds_at_most_twenty_files_and_a_hundred_mebibytes() {
        assert!(check_bid_room(19, 0, 1).is_ok());
        assert!(matches!(
            check_bid_room(20, 0, 1),
            Err(DomainError::Conflict(_))
        ));
        assert!(check_bid_room(3, BID_BYTES_MAX - 10, 10).is_ok());
        assert!(matches!(
            check_bid_room(3, BID_BYTES_MAX - 10, 11),
            Err(DomainError::Conflict(_))
        ));
    }

    #[test]
    fn document_types_are_the_ocds_codes() {
        assert_eq!(
            "technicalSpecifications".parse::<DocumentType>().ok(),
            Some(DocumentType::TechnicalSpecifications)
        );
        assert!("specification".parse::<DocumentType>().is_err());
        for kind in FileKind::ALL {
            assert_eq!(FileKind::from_media_type(kind.media_type()), Some(kind));
        }
    }
}

//! Page requests: every list in the API is paginated the same way, and the page size is capped.

use crate::error::{DomainError, Validator};

/// A validated page request: `page` from 1, `per_page` from 1 to [`PageRequest::MAX_PER_PAGE`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest {
    page: u64,
    per_page: u64,
}

impl PageRequest {
    pub const DEFAULT_PER_PAGE: u64 = 20;
    pub const MAX_PER_PAGE: u64 = 100;

    pub fn new(page: Option<u64>, per_page: Option<u64>) -> Result<Self, DomainError> {
        let mut v = Validator::new();
        let page = page.unwrap_or(1);
        let per_page = per_page.unwrap_or(Self::DEFAULT_PER_PAGE);
        if page == 0 {
            v.push(crate::FieldError::new("/page", "must be 1 or more"));
        }
        if page > 1_000_000 {
            v.push(crate::FieldError::new("/page", "must be at most 1000000"));
        }
        if per_page == 0 || per_page > Self::MAX_PER_PAGE {
            v.push(crate::FieldError::new(
                "/per_page",
                format!("must be between 1 and {}", Self::MAX_PER_PAGE),
            ));
        }
        v.finish()?;
        Ok(Self { page, per_page })
    }

    pub const fn page(&self) -> u64 {
        self.page
    }

    pub const fn per_page(&self) -> u64 {
        self.per_page
    }

    /// Rows to skip before this page.
    pub const fn offset(&self) -> u64 {
        (self.page - 1) * self.per_page
    }
}

impl Default for PageRequest {
    fn default() -> Self {
        Self {
            page: 1,
            per_page: Self::DEFAULT_PER_PAGE,
        }
    }
}

/// One page of results and the total number of matches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: u64,
    pub page: u64,
    pub per_page: u64,
}

impl<T> Page<T> {
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            items: self.items.into_iter().map(f).collect(),
            total: self.total,
            page: self.page,
            per_page: self.per_page,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_to_the_first_page_of_twenty() {
        let page = PageRequest::new(None, None);
        assert_eq!(page, Ok(PageRequest::default()));
        assert_eq!(PageRequest::default().offset(), 0);
    }

    #[test]
    fn the_offset_skips_earlier_pages() {
        assert_eq!(
            PageRequest::new(Some(3), Some(25)).map(|p| p.offset()),
            Ok(50)
        );
    }

    #[test]
    fn page_zero_and_oversized_pages_are_refused() {
        assert!(PageRequest::new(Some(0), None).is_err());
        assert!(PageRequest::new(None, Some(0)).is_err());
        assert!(PageRequest::new(None, Some(101)).is_err());
        assert!(PageRequest::new(None, Some(100)).is_ok());
    }
}

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
    /// The number of matches; when `total_exact` is false, more than this many match.
    pub total: u64,
    pub total_exact: bool,
    pub page: u64,
    pub per_page: u64,
}

impl<T> Page<T> {
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            items: self.items.into_iter().map(f).collect(),
            total: self.total,
            total_exact: self.total_exact,
            page: self.page,
            per_page: self.per_page,
        }
    }
}

/// A total counted exactly up to a limit, as a search states it.
///
/// Counting every match of a common word among a million offers costs a visit to each match;
/// counting up to a limit costs at most the limit. Beyond it the answer is "more than `limit`".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Total {
    pub value: u64,
    pub exact: bool,
}

impl Total {
    /// The total when the page itself shows where the matches end: a page that is not full,
    /// and is not past the end, holds the last match. `None` when a count is needed.
    pub fn from_page(request: PageRequest, items_on_page: usize) -> Option<Self> {
        let on_page = u64::try_from(items_on_page).unwrap_or(u64::MAX);
        let ends_here = on_page < request.per_page() && (on_page > 0 || request.page() == 1);
        ends_here.then(|| Self {
            value: request.offset().saturating_add(on_page),
            exact: true,
        })
    }

    /// The total from a count that stopped after `limit + 1` matches.
    pub fn from_capped_count(counted: u64, limit: u64) -> Self {
        if counted > limit {
            Self {
                value: limit,
                exact: false,
            }
        } else {
            Self {
                value: counted,
                exact: true,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_that_is_not_full_ends_the_matches() {
        let third = PageRequest::new(Some(3), Some(20)).unwrap_or_default();
        assert_eq!(
            Total::from_page(third, 7),
            Some(Total {
                value: 47,
                exact: true
            })
        );
        let first = PageRequest::default();
        assert_eq!(
            Total::from_page(first, 0),
            Some(Total {
                value: 0,
                exact: true
            })
        );
    }

    #[test]
    fn a_full_page_or_an_empty_page_past_the_end_needs_a_count() {
        let first = PageRequest::new(Some(1), Some(20)).unwrap_or_default();
        assert_eq!(Total::from_page(first, 20), None);
        let ninth = PageRequest::new(Some(9), Some(20)).unwrap_or_default();
        assert_eq!(Total::from_page(ninth, 0), None);
    }

    #[test]
    fn a_count_beyond_the_limit_is_a_lower_bound() {
        assert_eq!(
            Total::from_capped_count(1000, 1000),
            Total {
                value: 1000,
                exact: true
            }
        );
        assert_eq!(
            Total::from_capped_count(1001, 1000),
            Total {
                value: 1000,
                exact: false
            }
        );
        assert_eq!(
            Total::from_capped_count(0, 1000),
            Total {
                value: 0,
                exact: true
            }
        );
    }

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

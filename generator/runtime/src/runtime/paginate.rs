//! Every item of a list operation, across its pages: the page helpers the
//! generator writes for the operations `codegen.toml` paginates
//! (`list_pets_all`).
//!
//! Each page is a call like any other (retries, credentials, hooks,
//! tracing). The walk never loops: it stops at an empty page, at a page
//! without a next cursor, at a cursor it has already followed, and after
//! `max_pages` pages.

use std::collections::{HashSet, VecDeque};
use std::future::Future;
use std::pin::Pin;

use reqwest::header::HeaderMap;

use super::Error;

/// Where the next page starts.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum PagePosition {
    /// A cursor (or token) the previous page gave.
    Cursor(String),
    /// The index of the first item (`offset`), or a page number.
    Number(u64),
}

/// One page: its items, and where the next one starts, when the page says
/// (cursors and links); offsets and page numbers are counted here.
pub struct Page<T> {
    pub items: Vec<T>,
    pub next: Option<String>,
}

/// How the next page is found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageStyle {
    /// The page names the next cursor (a field, or a `Link: rel="next"`).
    Cursor,
    /// The next page starts after the items seen so far.
    Offset,
    /// Pages are numbered from `first`.
    Number { first: u64 },
}

type Fetch<T, E> = Box<
    dyn FnMut(
            Option<PagePosition>,
        ) -> Pin<Box<dyn Future<Output = Result<Page<T>, Error<E>>> + Send>>
        + Send,
>;

/// The items of every page, in order, fetched a page at a time as they
/// are read.
pub struct Paginated<T, E> {
    fetch: Fetch<T, E>,
    style: PageStyle,
    items: VecDeque<T>,
    next: Option<PagePosition>,
    /// The cursors followed so far (a server that repeats one would
    /// otherwise be asked for the same page for ever).
    followed: HashSet<String>,
    pages: u32,
    max_pages: u32,
    seen: u64,
    stop: Option<PageStop>,
}

/// Why a walk ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum PageStop {
    /// The last page was empty or named no next page: every item was read.
    End,
    /// The server named a cursor it had named before.
    RepeatedCursor,
    /// `max_pages` pages were read; there may be more.
    PageLimit,
    /// A page failed (the error was the last item).
    Failed,
}

impl<T, E> std::fmt::Debug for Paginated<T, E> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Paginated")
            .field("pages", &self.pages)
            .field("max_pages", &self.max_pages)
            .field("stop", &self.stop)
            .finish_non_exhaustive()
    }
}

impl<T, E> Paginated<T, E> {
    /// The walk the generated helpers start. `fetch` calls the operation
    /// for a position (`None`: the first page, as the caller asked).
    pub(crate) fn new(
        style: PageStyle,
        max_pages: u32,
        fetch: impl FnMut(
            Option<PagePosition>,
        ) -> Pin<Box<dyn Future<Output = Result<Page<T>, Error<E>>> + Send>>
        + Send
        + 'static,
    ) -> Self {
        Paginated {
            fetch: Box::new(fetch),
            style,
            items: VecDeque::new(),
            next: None,
            followed: HashSet::new(),
            pages: 0,
            max_pages,
            seen: 0,
            stop: None,
        }
    }

    /// The next item, fetching the next page when this one is read; `None`
    /// once the walk has stopped ([`Self::stopped`] says why).
    pub async fn next(&mut self) -> Option<Result<T, Error<E>>> {
        loop {
            if let Some(item) = self.items.pop_front() {
                return Some(Ok(item));
            }
            if self.stop.is_some() {
                return None;
            }
            if self.pages >= self.max_pages {
                self.stop = Some(PageStop::PageLimit);
                return None;
            }
            let page = match (self.fetch)(self.next.take()).await {
                Ok(page) => page,
                Err(error) => {
                    self.stop = Some(PageStop::Failed);
                    return Some(Err(error));
                }
            };
            self.pages += 1;
            self.turn(page);
        }
    }

    /// Takes in a page's items and works out where the next one starts.
    fn turn(&mut self, page: Page<T>) {
        if page.items.is_empty() {
            self.stop = Some(PageStop::End);
            return;
        }
        self.seen += page.items.len() as u64;
        self.items.extend(page.items);
        self.next = match self.style {
            PageStyle::Cursor => match page.next.filter(|cursor| !cursor.is_empty()) {
                None => {
                    self.stop = Some(PageStop::End);
                    None
                }
                Some(cursor) if !self.followed.insert(cursor.clone()) => {
                    self.stop = Some(PageStop::RepeatedCursor);
                    None
                }
                Some(cursor) => Some(PagePosition::Cursor(cursor)),
            },
            PageStyle::Offset => Some(PagePosition::Number(self.seen)),
            PageStyle::Number { first } => {
                Some(PagePosition::Number(first + u64::from(self.pages)))
            }
        };
    }

    /// Why the walk ended, once it has.
    pub fn stopped(&self) -> Option<PageStop> {
        self.stop
    }

    /// Pages fetched so far.
    pub fn pages(&self) -> u32 {
        self.pages
    }
}

/// The value of the query parameter `name` in the `Link: <…>; rel="next"`
/// target of `headers` (RFC 8288), for a server that pages by links.
pub(crate) fn next_link_param(headers: &HeaderMap, name: &str) -> Option<String> {
    for value in headers.get_all(reqwest::header::LINK) {
        let Ok(text) = value.to_str() else { continue };
        for link in text.split(',') {
            let mut parts = link.split(';');
            let target = parts.next()?.trim();
            let is_next = parts.any(|p| {
                let p = p.trim();
                p == "rel=next" || p == "rel=\"next\"" || p.starts_with("rel=\"next ")
            });
            if !is_next {
                continue;
            }
            let target = target.strip_prefix('<')?.strip_suffix('>')?;
            let url = reqwest::Url::parse(target)
                .or_else(|_| reqwest::Url::parse("http://base/")?.join(target))
                .ok()?;
            return url
                .query_pairs()
                .find(|(key, _)| key == name)
                .map(|(_, value)| value.into_owned());
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pages(
        style: PageStyle,
        max_pages: u32,
        answer: fn(Option<PagePosition>) -> Page<u32>,
    ) -> Paginated<u32, std::convert::Infallible> {
        Paginated::new(style, max_pages, move |position| {
            let page = answer(position);
            Box::pin(async move { Ok(page) })
        })
    }

    async fn all(
        mut walk: Paginated<u32, std::convert::Infallible>,
    ) -> (Vec<u32>, Option<PageStop>) {
        let mut items = Vec::new();
        while let Some(item) = walk.next().await {
            items.push(item.unwrap());
        }
        (items, walk.stopped())
    }

    #[tokio::test]
    async fn cursors_offsets_and_numbers_walk_to_the_end() {
        let cursor = pages(PageStyle::Cursor, 100, |at| match at {
            None => Page {
                items: vec![1, 2],
                next: Some("b".into()),
            },
            Some(PagePosition::Cursor(c)) if c == "b" => Page {
                items: vec![3],
                next: None,
            },
            _ => Page {
                items: vec![99],
                next: None,
            },
        });
        assert_eq!(all(cursor).await, (vec![1, 2, 3], Some(PageStop::End)));
        let offset = pages(PageStyle::Offset, 100, |at| match at {
            None => Page {
                items: vec![1, 2],
                next: None,
            },
            Some(PagePosition::Number(2)) => Page {
                items: vec![3],
                next: None,
            },
            _ => Page {
                items: vec![],
                next: None,
            },
        });
        assert_eq!(all(offset).await, (vec![1, 2, 3], Some(PageStop::End)));
        let numbered = pages(PageStyle::Number { first: 1 }, 100, |at| match at {
            None => Page {
                items: vec![1],
                next: None,
            },
            Some(PagePosition::Number(2)) => Page {
                items: vec![2],
                next: None,
            },
            _ => Page {
                items: vec![],
                next: None,
            },
        });
        assert_eq!(all(numbered).await, (vec![1, 2], Some(PageStop::End)));
    }

    #[tokio::test]
    async fn a_repeated_cursor_and_the_page_limit_stop_the_walk() {
        let repeating = pages(PageStyle::Cursor, 100, |_| Page {
            items: vec![1],
            next: Some("same".into()),
        });
        assert_eq!(
            all(repeating).await,
            (vec![1, 1], Some(PageStop::RepeatedCursor))
        );
        let endless = pages(PageStyle::Offset, 3, |_| Page {
            items: vec![7],
            next: None,
        });
        assert_eq!(
            all(endless).await,
            (vec![7, 7, 7], Some(PageStop::PageLimit))
        );
    }

    #[test]
    fn next_links() {
        let mut headers = HeaderMap::new();
        headers.insert(
            reqwest::header::LINK,
            r#"<https://api.example.com/items?page=1>; rel="prev", <https://api.example.com/items?page=3&per_page=2>; rel="next""#
                .parse()
                .unwrap(),
        );
        assert_eq!(next_link_param(&headers, "page"), Some("3".into()));
        headers.insert(
            reqwest::header::LINK,
            "</items?cursor=abc>; rel=next".parse().unwrap(),
        );
        assert_eq!(next_link_param(&headers, "cursor"), Some("abc".into()));
        headers.insert(
            reqwest::header::LINK,
            "<https://x/?page=2>; rel=\"last\"".parse().unwrap(),
        );
        assert_eq!(next_link_param(&headers, "page"), None);
    }
}

//! The API's base URL: parsed once when the client is made, and the URLs
//! of the paths without parameters, made once per client.

use std::sync::{Arc, OnceLock};

use reqwest::Url;

use super::redact::redacted_url;

/// The API's base URL, parsed once when the client is made.
#[derive(Clone)]
pub(crate) struct BaseUrl {
    pub(super) text: String,
    /// The parsed URL, or why it is not one (reported by the first call).
    pub(super) parsed: Result<Url, String>,
    /// Whether the URL holds a user name or password (sent as basic auth).
    pub(super) has_userinfo: bool,
    /// The URLs of paths without parameters, shared by the client's clones.
    static_urls: Arc<StaticUrls>,
}

impl BaseUrl {
    pub fn new(text: String) -> Self {
        let parsed = match Url::parse(&text) {
            Ok(url) if !matches!(url.scheme(), "http" | "https") || url.cannot_be_a_base() => {
                Err("not an http(s) URL".to_owned())
            }
            // Paths are appended to the base URL's text: a query or a
            // fragment there would swallow them.
            Ok(url) if url.query().is_some() || url.fragment().is_some() => {
                Err("a base URL cannot have a query string or a fragment".to_owned())
            }
            Ok(url) => Ok(url),
            Err(e) => Err(e.to_string()),
        };
        let has_userinfo = parsed
            .as_ref()
            .is_ok_and(|url| !url.username().is_empty() || url.password().is_some());
        BaseUrl {
            text,
            parsed,
            has_userinfo,
            static_urls: Arc::default(),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The URL of `path`, a path template without parameters, made by
    /// `make` at its first call and kept; `None` when it finds no free
    /// slot (the caller then makes it each time).
    pub(super) fn static_url(
        &self,
        path: &'static str,
        make: impl FnOnce() -> Url,
    ) -> Option<&Url> {
        self.static_urls.get_or_make(path, make)
    }
}

/// The URLs of a client's paths without parameters (a collection's list,
/// create and search endpoints; login and token refresh), each made once:
/// setting a URL's path parses it again, which costs more than all the
/// rest of preparing a call. A fixed table (about 7 KB, made at the first
/// such call) in which a template takes the first free slot from where its
/// address points, within a few probes: reading it takes no lock and it
/// never grows; a template that finds no free slot is not kept.
#[derive(Default)]
struct StaticUrls(OnceLock<Box<[StaticUrl]>>);

/// A slot of [`StaticUrls`]: a template and its URL, once filled.
type StaticUrl = OnceLock<(&'static str, Url)>;

impl StaticUrls {
    const SLOTS: usize = 64;
    const PROBES: usize = 8;

    /// Where `path`'s probes start. Templates are string literals: one
    /// address each, for the life of the program.
    fn first_slot(path: &'static str) -> usize {
        let address = path.as_ptr() as usize as u64;
        (address.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 58) as usize % Self::SLOTS
    }

    fn get_or_make(&self, path: &'static str, make: impl FnOnce() -> Url) -> Option<&Url> {
        let slots = self
            .0
            .get_or_init(|| (0..Self::SLOTS).map(|_| OnceLock::new()).collect());
        let start = Self::first_slot(path);
        let mut make = Some(make);
        for probe in 0..Self::PROBES {
            let slot = &slots[(start + probe) % Self::SLOTS];
            if slot.get().is_none() {
                if let Some(make) = make.take() {
                    // Another call may fill the slot first; then this URL
                    // is dropped, and the slot holds whichever template won.
                    let _ = slot.set((path, make()));
                }
            }
            // The same template: address and length (a fat pointer).
            match slot.get() {
                Some((key, url)) if std::ptr::eq(*key, path) => return Some(url),
                _ => continue,
            }
        }
        None
    }
}

impl std::fmt::Debug for BaseUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&redacted_url(&self.text))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two templates whose probes start at the same slot are both kept
    /// (the second in the next free slot): asked again, neither is made
    /// again, and each is served its own URL.
    #[test]
    fn templates_that_share_a_first_slot_are_both_kept() {
        let templates: Vec<&'static str> = (0..1000)
            .map(|i| &*Box::leak(format!("/v1/t{i}").into_boxed_str()))
            .collect();
        let mut by_slot = std::collections::HashMap::new();
        let (a, b) = templates
            .iter()
            .find_map(|t| {
                by_slot
                    .insert(StaticUrls::first_slot(t), *t)
                    .map(|earlier| (earlier, *t))
            })
            .expect("1,000 templates share a first slot among 64");
        let urls = StaticUrls::default();
        let make = |path: &str| Url::parse(&format!("https://api.example.com{path}")).unwrap();
        for (round, template) in [(0, a), (0, b), (1, a), (1, b)] {
            let url = urls.get_or_make(template, || match round {
                0 => make(template),
                _ => panic!("{template} was not kept"),
            });
            assert_eq!(
                url.map(Url::as_str),
                Some(&*format!("https://api.example.com{template}"))
            );
        }
    }
}

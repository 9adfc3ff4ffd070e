//! Streamed responses, typed item by item as they arrive, never buffered
//! whole: Server-Sent Events (`text/event-stream`, read in `events.rs`)
//! and JSON records one per line (`application/jsonl`,
//! `application/x-ndjson`, and `application/json-seq`, whose records
//! start with an RS byte), both read line by line (`lines.rs`).
//!
//! Limits, from [`Config`](crate::Config): an event or record larger than
//! `max_event_bytes` ends the stream with [`Error::BodyTooLarge`] (an
//! endless line included, so memory stays bounded), and no byte for
//! `stream_idle_timeout` ends it with [`Error::Timeout`]. An item that does
//! not decode is an [`Error::Decode`] item (a bounded, redacted snippet);
//! the stream goes on after it, and the caller decides whether to. Dropping
//! a stream closes its connection.

use std::time::Duration;

use reqwest::StatusCode;

use super::decode::DecodeError;
use super::lines::{Failed, Lines, Source};
use super::redact::snippet;
use super::resume::Replay;
use super::{Error, RequestInfo};

/// How an item's bytes become its type: JSON, or the text itself (which
/// must be UTF-8).
pub(crate) type Decoder<T> = fn(&[u8]) -> Result<T, serde_json::Error>;

/// What a stream's errors name: the request (with the secrets to keep out
/// of snippets) and its status; after a reconnection, the reconnection's.
pub(super) struct Origin {
    pub(super) info: RequestInfo,
    pub(super) status: StatusCode,
    pub(super) max_bytes: usize,
    /// The call's span, open while the stream is; items given so far.
    pub(super) span: tracing::Span,
    items: u64,
    ended: bool,
}

impl Origin {
    /// Counts an item the stream gives (an error that ends the stream is
    /// recorded as it ends).
    pub(super) fn gave<T>(&mut self, item: Result<T, Error>) -> Option<Result<T, Error>> {
        if item.is_ok() {
            self.items += 1;
        }
        Some(item)
    }

    /// The stream has ended, with `error` when one ended it.
    pub(super) fn end(&mut self, error: Option<&Error>) {
        if !self.ended {
            self.ended = true;
            super::trace::stream_ended(&self.span, self.items, error);
        }
    }
}

impl Drop for Origin {
    /// A stream the caller drops has ended too.
    fn drop(&mut self) {
        self.end(None);
    }
}

impl Origin {
    pub(super) fn failed(&self, failed: Failed) -> Error {
        match failed {
            Failed::TooLarge => Error::BodyTooLarge {
                request: self.info.clone(),
                status: self.status,
                limit: self.max_bytes,
            },
            Failed::Idle(after) => Error::Timeout {
                request: self.info.clone(),
                after,
            },
            Failed::Body(source) => Error::Body {
                request: self.info.clone(),
                status: self.status,
                source: source.without_url(),
            },
        }
    }

    /// An item that did not decode: where and why, and its start, redacted.
    pub(super) fn undecodable(&self, text: &[u8], error: &serde_json::Error) -> Error {
        Error::Decode {
            request: self.info.clone(),
            status: self.status,
            source: DecodeError::new(error, text, &self.info.secrets),
            snippet: snippet(text, crate::types::SENSITIVE_KEYS, &self.info.secrets),
        }
    }
}

/// A response of JSON records, one per line (`application/jsonl`,
/// `application/x-ndjson`) or each after an RS byte
/// (`application/json-seq`), each decoded as `T`.
pub struct JsonLines<T> {
    lines: Lines,
    origin: Origin,
    decode: Decoder<T>,
    finished: bool,
}

impl<T> std::fmt::Debug for JsonLines<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JsonLines")
            .field("request", &self.origin.info)
            .field("status", &self.origin.status)
            .finish_non_exhaustive()
    }
}

impl<T> JsonLines<T> {
    /// The next record, as it arrives; `None` once the stream has ended.
    pub async fn next(&mut self) -> Option<Result<T, Error>> {
        loop {
            if self.finished {
                return None;
            }
            let range = match self.lines.next().await {
                Ok(Some(range)) => range,
                Ok(None) => {
                    self.finished = true;
                    self.origin.end(None);
                    return None;
                }
                Err(failed) => {
                    self.finished = true;
                    let error = self.origin.failed(failed);
                    self.origin.end(Some(&error));
                    return Some(Err(error));
                }
            };
            let line = &self.lines.buffer[range];
            let record = line.strip_prefix(b"\x1E").unwrap_or(line);
            if record.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            let item = (self.decode)(record).map_err(|e| self.origin.undecodable(record, &e));
            return self.origin.gave(item);
        }
    }
}

/// What a streamed response is read with.
pub(crate) struct StreamParts {
    /// The call's span, kept open until the stream ends.
    pub(crate) span: tracing::Span,
    pub(crate) response: reqwest::Response,
    pub(crate) info: RequestInfo,
    pub(crate) status: StatusCode,
    pub(crate) max_bytes: usize,
    pub(crate) idle: Option<Duration>,
    /// How to resume an event stream, when the caller asked for it.
    pub(crate) replay: Option<Box<Replay>>,
}

impl StreamParts {
    pub(super) fn split(self) -> (Lines, Origin, Option<Box<Replay>>) {
        let lines = Lines::new(Source::Http(self.response), self.max_bytes, self.idle);
        let origin = Origin {
            info: self.info,
            status: self.status,
            max_bytes: self.max_bytes,
            span: self.span,
            items: 0,
            ended: false,
        };
        (lines, origin, self.replay)
    }

    pub(crate) fn json_lines<T>(self, decode: Decoder<T>) -> JsonLines<T> {
        let (lines, origin, _) = self.split();
        JsonLines {
            lines,
            origin,
            decode,
            finished: false,
        }
    }
}

/// A response's parts, for reading its body as a stream: its errors name
/// `info` and `status`, and blank the secrets `info` holds.
pub(crate) fn parts(
    response: reqwest::Response,
    info: RequestInfo,
    status: StatusCode,
    config: &super::Config,
) -> StreamParts {
    StreamParts {
        span: tracing::Span::none(),
        response,
        info,
        status,
        max_bytes: config.max_event_bytes,
        idle: config.stream_idle_timeout,
        replay: None,
    }
}

/// An item as JSON.
pub(crate) fn json<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<T, serde_json::Error> {
    serde_json::from_slice(bytes)
}

/// An item as the text itself, for a stream nothing types.
pub(crate) fn text(bytes: &[u8]) -> Result<String, serde_json::Error> {
    match std::str::from_utf8(bytes) {
        Ok(text) => Ok(text.to_owned()),
        Err(_) => Err(serde::de::Error::custom("the event is not valid UTF-8")),
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use bytes::Bytes;
    use reqwest::Method;

    /// A stream of `pieces`, as the network might split them, and what
    /// its errors name (a request that sent one secret).
    pub(crate) fn lines(pieces: Vec<Bytes>, max_bytes: usize) -> (Lines, Origin) {
        let lines = Lines::new(Source::Pieces(pieces.into()), max_bytes, None);
        let sent: super::super::SentSecrets = [super::super::Secret::new("tok-SECRET-S")]
            .into_iter()
            .collect();
        let origin = Origin {
            info: RequestInfo::new(Method::GET, "/events".into()).with_secrets(&sent),
            status: StatusCode::OK,
            max_bytes,
            span: tracing::Span::none(),
            items: 0,
            ended: false,
        };
        (lines, origin)
    }

    #[tokio::test]
    async fn json_lines_are_records() {
        #[derive(Debug, PartialEq, serde::Deserialize)]
        struct Row {
            id: u32,
        }
        let body: &[u8] =
            b"{\"id\": 1}\n\r\n{\"id\": 2}\r\n\x1E{\"id\": 3}\n{\"id\": \"x\"}\n{\"id\": 5}";
        let (lines_, origin) = lines(vec![Bytes::from_static(body)], 1024);
        let mut stream = JsonLines {
            lines: lines_,
            origin,
            decode: json::<Row>,
            finished: false,
        };
        let mut ids = Vec::new();
        let mut errors = 0;
        while let Some(item) = stream.next().await {
            match item {
                Ok(row) => ids.push(row.id),
                Err(Error::Decode { .. }) => errors += 1,
                Err(other) => panic!("{other:?}"),
            }
        }
        assert_eq!((ids, errors), (vec![1, 2, 3, 5], 1));
    }
}

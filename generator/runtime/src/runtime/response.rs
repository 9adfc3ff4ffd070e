//! What comes back: a response's head and body, read within the attempt's
//! limits, and turned into a typed value or a typed error that describes
//! the request without its secrets.

use std::pin::Pin;

use bytes::Bytes;
use reqwest::StatusCode;
use reqwest::header::HeaderMap;

use super::attempt::{AttemptError, Reach};
use super::decode::DecodeError;
use super::events::EventStream;
use super::redact::snippet;
use super::redirect::RedirectRefusal;
use super::resume::Replay;
use super::stream::{Decoder, JsonLines, StreamParts};
use super::{Config, Described, Error, Failure, RequestInfo, ResponseValue};

/// An attempt's response: its head, and its body, unread
/// (`reqwest::Response`) or read (`Bytes`).
pub(super) struct Answer<B> {
    pub(super) status: StatusCode,
    pub(super) headers: HeaderMap,
    /// A redirect that was not followed, and why.
    pub(super) refused: Option<RedirectRefusal>,
    pub(super) body: B,
    /// When the attempt's time runs out, and the limit to report then.
    pub(super) deadline: Option<(tokio::time::Instant, std::time::Duration)>,
    /// Whether the answer came from the request as sent, not from where a
    /// redirect led (only such a `401` proves the request was refused
    /// before the server acted on it).
    pub(super) first_hop: bool,
}

impl Answer<reqwest::Response> {
    pub(super) fn new(mut response: reqwest::Response, refused: Option<RedirectRefusal>) -> Self {
        let headers = std::mem::take(response.headers_mut());
        Answer {
            status: response.status(),
            headers,
            refused,
            body: response,
            deadline: None,
            first_hop: true,
        }
    }
}

/// Why reading a body failed, before the request is named.
pub(super) enum ReadError {
    TooLarge { limit: usize },
    Transport(reqwest::Error),
}

impl ReadError {
    pub(super) fn describe(self, request: RequestInfo, status: StatusCode) -> AttemptError {
        match self {
            ReadError::TooLarge { limit } => Failure::new(Error::BodyTooLarge {
                request,
                status,
                limit,
            })
            .into(),
            ReadError::Transport(e) => AttemptError {
                failure: Failure::new(Error::Body {
                    request,
                    status,
                    source: e.without_url(),
                }),
                reach: Reach::MaybeSent,
            },
        }
    }
}

/// The body, refusing more than `limit` bytes. A declared length is
/// checked first and then trusted (the HTTP layer reads no more than it
/// says), which lets the body arrive without a copy; one without is read
/// piece by piece and stops at the limit.
/// (`PendingRequest::reading_attempt` reads the body of an answer the same
/// way, written out there: its future is then the smaller.)
async fn read_capped(response: reqwest::Response, limit: usize) -> Result<Bytes, ReadError> {
    match response.content_length() {
        Some(length) if length > limit as u64 => Err(ReadError::TooLarge { limit }),
        Some(_) => response.bytes().await.map_err(ReadError::Transport),
        None => read_pieces(response, limit).await,
    }
}

/// A body without a declared length, read piece by piece up to `limit`.
/// Boxed, as a `dyn` future: the reading of a body that declared its
/// length (the usual case) keeps this loop out of its own code.
pub(super) fn read_pieces(
    response: reqwest::Response,
    limit: usize,
) -> Pin<Box<dyn Future<Output = Result<Bytes, ReadError>> + Send>> {
    Box::pin(read_piece_by_piece(response, limit))
}

async fn read_piece_by_piece(
    mut response: reqwest::Response,
    limit: usize,
) -> Result<Bytes, ReadError> {
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(ReadError::Transport)? {
        if body.len().saturating_add(chunk.len()) > limit {
            return Err(ReadError::TooLarge { limit });
        }
        body.extend_from_slice(&chunk);
    }
    Ok(Bytes::from(body))
}

/// A response whose head has arrived and whose body has not been read.
pub(crate) struct StreamingResponse {
    pub(super) request: Described,
    pub(super) answer: Answer<reqwest::Response>,
    /// The call's span, for a stream to keep open until it ends.
    pub(super) span: tracing::Span,
    /// What an event stream needs to resume, when the caller asked for it.
    pub(super) replay: Option<Box<Replay>>,
}

impl StreamingResponse {
    pub fn status(&self) -> StatusCode {
        self.answer.status
    }

    /// Reads the whole body, refusing one over the configured limit, within
    /// what is left of the attempt that brought the head.
    pub async fn buffer(self, config: &Config) -> Result<RawResponse, Failure> {
        let StreamingResponse {
            request, answer, ..
        } = self;
        let Answer {
            status,
            headers,
            refused,
            body,
            deadline,
            ..
        } = answer;
        let read = read_capped(body, config.max_body_bytes);
        let body = match deadline {
            Some((deadline, after)) => match tokio::time::timeout_at(deadline, read).await {
                Ok(read) => read,
                Err(_) => {
                    return Err(Failure::new(Error::Timeout {
                        request: request.info(&headers),
                        after,
                    }));
                }
            },
            None => read.await,
        }
        .map_err(|e| e.describe(request.info(&headers), status).failure)?;
        Ok(RawResponse {
            request,
            status,
            headers,
            refused,
            body,
        })
    }

    /// The body as Server-Sent Events, each `data` decoded by `decode`.
    pub fn into_events<T>(
        self,
        config: &Config,
        decode: Decoder<T>,
    ) -> ResponseValue<EventStream<T>> {
        let (parts, status, headers) = self.stream_parts(config);
        ResponseValue::new(parts.events(decode), status, headers)
    }

    /// The body as JSON records, one per line, each decoded by `decode`.
    pub fn into_json_lines<T>(
        self,
        config: &Config,
        decode: Decoder<T>,
    ) -> ResponseValue<JsonLines<T>> {
        let (parts, status, headers) = self.stream_parts(config);
        ResponseValue::new(parts.json_lines(decode), status, headers)
    }

    fn stream_parts(self, config: &Config) -> (StreamParts, StatusCode, HeaderMap) {
        let StreamingResponse {
            request,
            answer,
            span,
            replay,
        } = self;
        let info = request.info(&answer.headers);
        // Without its URL, as in `into_stream`.
        let response = reqwest::Response::from(http::Response::<reqwest::Body>::from(answer.body));
        let mut parts = super::stream::parts(response, info, answer.status, config);
        parts.span = span;
        parts.replay = replay;
        (parts, answer.status, answer.headers)
    }

    /// The body, unread and without its URL, and the request as errors
    /// name it (a resumed stream reads on from here).
    pub(super) fn into_body(self) -> (reqwest::Response, RequestInfo) {
        let info = self.request.info(&self.answer.headers);
        let body = http::Response::<reqwest::Body>::from(self.answer.body);
        (reqwest::Response::from(body), info)
    }

    pub fn into_stream(self) -> ResponseValue<ByteStream> {
        let StreamingResponse {
            request, answer, ..
        } = self;
        let info = request.info(&answer.headers);
        // Without its URL: `reqwest::Response` shows it in `Debug`, and a
        // query-string API key would show with it.
        let response = reqwest::Response::from(http::Response::<reqwest::Body>::from(answer.body));
        let stream = ByteStream { info, response };
        ResponseValue::new(stream, answer.status, answer.headers)
    }
}

/// A response body read piece by piece, for downloads too large to hold in
/// memory. Not subject to the client's body size limit.
pub struct ByteStream {
    info: RequestInfo,
    response: reqwest::Response,
}

impl std::fmt::Debug for ByteStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Not the response's own Debug: its URL may hold a query-string key.
        f.debug_struct("ByteStream")
            .field("request", &self.info)
            .field("status", &self.response.status())
            .finish_non_exhaustive()
    }
}

impl ByteStream {
    /// The next piece of the body, or `None` at its end.
    pub async fn next_chunk(&mut self) -> Result<Option<Vec<u8>>, Error> {
        match self.response.chunk().await {
            Ok(chunk) => Ok(chunk.map(|c| c.to_vec())),
            Err(e) => Err(Error::from_transport(self.info.clone(), e)),
        }
    }

    /// The rest of the body in memory, refusing more than `limit` bytes.
    pub async fn collect(mut self, limit: usize) -> Result<Vec<u8>, Error> {
        let mut body = Vec::new();
        while let Some(chunk) = self.next_chunk().await? {
            if body.len().saturating_add(chunk.len()) > limit {
                return Err(Error::BodyTooLarge {
                    request: self.info,
                    status: self.response.status(),
                    limit,
                });
            }
            body.extend_from_slice(&chunk);
        }
        Ok(body)
    }

    /// The underlying `reqwest::Response`, to adapt into another stream type.
    pub fn into_inner(self) -> reqwest::Response {
        self.response
    }
}

/// A response whose body has been read but not yet decoded.
pub(crate) struct RawResponse {
    pub(super) request: Described,
    pub(super) status: StatusCode,
    pub(super) headers: HeaderMap,
    pub(super) refused: Option<RedirectRefusal>,
    pub(super) body: Bytes,
}

impl RawResponse {
    pub fn status(&self) -> StatusCode {
        self.status
    }

    pub fn json<T: serde::de::DeserializeOwned>(&self) -> Result<T, Failure> {
        serde_json::from_slice(&self.body).map_err(|source| {
            Failure::new(Error::Decode {
                request: self.request.info(&self.headers),
                status: self.status,
                source: DecodeError::new(&source, &self.body, &self.request.secrets),
                snippet: snippet(
                    &self.body,
                    crate::types::SENSITIVE_KEYS,
                    &self.request.secrets,
                ),
            })
        })
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn bytes(&self) -> Vec<u8> {
        self.body.to_vec()
    }

    pub fn success<T>(self, value: T) -> ResponseValue<T> {
        ResponseValue::new(value, self.status, self.headers)
    }

    pub fn api_error<E>(self, body: E) -> Error<E> {
        let request = self.request.info(&self.headers);
        Error::Api {
            request,
            status: self.status,
            headers: Box::new(self.headers),
            body,
        }
    }

    /// A status the operation does not declare; a redirect that was not
    /// followed says where it led and why it stopped.
    pub fn unexpected<E>(self) -> Error<E> {
        let request = self.request.info(&self.headers);
        let location = self
            .headers
            .get(reqwest::header::LOCATION)
            .and_then(|l| l.to_str().ok());
        if let (Some(refused), Some(location)) = (self.refused, location) {
            // A server may copy a secret path value into where it points.
            let location = self.request.secrets.blank(location);
            return Error::Redirect {
                request,
                status: self.status,
                location,
                refused,
                headers: Box::new(self.headers),
            };
        }
        let body = String::from_utf8_lossy(&self.body).into_owned();
        let snippet = snippet(
            &self.body,
            crate::types::SENSITIVE_KEYS,
            &self.request.secrets,
        );
        Error::UnexpectedStatus {
            request,
            status: self.status,
            headers: Box::new(self.headers),
            body,
            snippet,
        }
    }
}

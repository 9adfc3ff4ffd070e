//! Server-Sent Events (`text/event-stream`), typed event by event as they
//! arrive, by the WHATWG rules: `data` lines join with `\n`, comments
//! (`:`) and keep-alives are skipped, `id` persists from event to event,
//! an event cut off by the end of the stream is dropped, and `data:
//! [DONE]` ends the stream cleanly. A stream may resume after a drop
//! (`resume.rs`).

use std::sync::Arc;
use std::time::Duration;

use super::Error;
use super::lines::{Failed, Lines};
use super::resume::Replay;
use super::stream::{Decoder, Origin, StreamParts};

/// The payload of a conventional end marker (`data: [DONE]`), which ends
/// an event stream cleanly.
const DONE: &str = "[DONE]";

/// One Server-Sent Event.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ServerEvent<T> {
    /// The `event` field: the event's type; `None` for the default
    /// (`message`). Shared: a stream of one event type allocates it once.
    pub event: Option<Arc<str>>,
    /// The last `id` the stream gave, this event's or an earlier one's:
    /// what a reconnection sends as `Last-Event-ID`.
    pub id: Option<Arc<str>>,
    /// The reconnection time the server asked for with this event.
    pub retry: Option<Duration>,
    /// The `data` lines, joined, decoded as the item type.
    pub data: T,
}

/// A Server-Sent Events response, typed: each [`ServerEvent`]'s `data` is
/// decoded as `T` (JSON, or the text itself for an untyped stream).
pub struct EventStream<T> {
    lines: Lines,
    origin: Origin,
    decode: Decoder<T>,
    /// The event being read: its `data` (the buffer kept between events),
    /// or where its one line of data lies in the read buffer, whether it
    /// has any, its type and reconnection time.
    data: Vec<u8>,
    data_at: Option<std::ops::Range<usize>>,
    has_data: bool,
    event: Option<Arc<str>>,
    retry: Option<Duration>,
    /// The last event type seen, shared by the events that repeat it.
    last_event: Option<Arc<str>>,
    /// An `id` read in the event being read, which becomes the stream's
    /// last event id when the event ends (with data or without).
    pending_id: Option<Arc<str>>,
    /// The last event id, kept from event to event.
    last_id: Option<Arc<str>>,
    /// The reconnection time the server last asked for.
    reconnect_time: Option<Duration>,
    /// How to send the request again after a drop, when resuming is on.
    replay: Option<Box<Replay>>,
    finished: bool,
}

impl<T> std::fmt::Debug for EventStream<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EventStream")
            .field("request", &self.origin.info)
            .field("status", &self.origin.status)
            .field("last_event_id", &self.last_id)
            .finish_non_exhaustive()
    }
}

impl<T> EventStream<T> {
    pub(super) fn new(
        lines: Lines,
        origin: Origin,
        decode: Decoder<T>,
        replay: Option<Box<Replay>>,
    ) -> Self {
        EventStream {
            lines,
            origin,
            decode,
            data: Vec::new(),
            data_at: None,
            has_data: false,
            event: None,
            retry: None,
            last_event: None,
            pending_id: None,
            last_id: None,
            reconnect_time: None,
            replay,
            finished: false,
        }
    }

    /// The next event, as it arrives; `None` once the stream has ended (its
    /// body ended, a `data: [DONE]` marker came, or an error other than an
    /// undecodable event ended it). A stream that resumes
    /// ([`Config::resume_event_streams`](crate::Config)) reconnects here
    /// when its connection drops, and goes on with the events after the
    /// last one it gave.
    pub async fn next(&mut self) -> Option<Result<ServerEvent<T>, Error>> {
        if self.finished {
            return None;
        }
        loop {
            // The lines already read, without awaiting between them.
            while let Some(range) = self.lines.take_line() {
                if let Some(item) = self.line(range) {
                    return item;
                }
            }
            if let Some(last) = self.lines.take_last() {
                if let Some(item) = self.line(last) {
                    return item;
                }
                continue;
            }
            if self.lines.ended {
                // An event the end of the stream cut off is dropped.
                return self.finish(None);
            }
            self.keep_data();
            if let Err(failed) = self.lines.fill().await {
                if let Err(error) = self.resume(failed).await {
                    return self.finish(Some(Err(error)));
                }
            }
        }
    }

    /// Takes in one line; `Some` when it completes what `next` returns.
    fn line(
        &mut self,
        range: std::ops::Range<usize>,
    ) -> Option<Option<Result<ServerEvent<T>, Error>>> {
        let line = &self.lines.buffer[range.clone()];
        if line.is_empty() {
            return self.dispatch();
        }
        if line[0] == b':' {
            return None;
        }
        let (field, value_at) = match memchr::memchr(b':', line) {
            Some(colon) => {
                let space = usize::from(line.get(colon + 1) == Some(&b' '));
                (&line[..colon], range.start + colon + 1 + space..range.end)
            }
            None => (line, range.end..range.end),
        };
        let value = &self.lines.buffer[value_at.clone()];
        match field {
            b"data" => {
                let held = self.data.len() + self.data_at.as_ref().map_or(0, |at| at.len());
                if held + value.len() + 1 > self.origin.max_bytes {
                    let error = self.origin.failed(Failed::TooLarge);
                    return Some(self.finish(Some(Err(error))));
                }
                if self.has_data {
                    self.keep_data();
                    self.data.push(b'\n');
                    self.data.extend_from_slice(&self.lines.buffer[value_at]);
                } else {
                    // One line of data, the usual case: left where it is.
                    self.data_at = Some(value_at);
                }
                self.has_data = true;
            }
            b"event" => {
                self.event = match &self.last_event {
                    Some(last) if last.as_bytes() == value => Some(last.clone()),
                    _ => {
                        let name: Arc<str> = Arc::from(String::from_utf8_lossy(value));
                        self.last_event = Some(name.clone());
                        Some(name)
                    }
                };
            }
            b"id" if !value.contains(&0) => {
                self.pending_id = Some(Arc::from(String::from_utf8_lossy(value)));
            }
            b"retry" if !value.is_empty() && value.iter().all(u8::is_ascii_digit) => {
                let millis = std::str::from_utf8(value).ok().and_then(|v| v.parse().ok());
                self.retry = millis.map(Duration::from_millis);
                if self.retry.is_some() {
                    self.reconnect_time = self.retry;
                }
            }
            _ => {}
        }
        None
    }

    /// A blank line: the event read so far, if it has data.
    fn dispatch(&mut self) -> Option<Option<Result<ServerEvent<T>, Error>>> {
        if let Some(id) = self.pending_id.take() {
            self.last_id = Some(id);
        }
        let event = self.event.take();
        let retry = self.retry.take();
        if !std::mem::take(&mut self.has_data) {
            return None;
        }
        let data_at = self.data_at.take();
        let data = match &data_at {
            Some(at) => &self.lines.buffer[at.clone()],
            None => &self.data[..],
        };
        if data == DONE.as_bytes() {
            return Some(self.finish(None));
        }
        if let Some(replay) = &mut self.replay {
            replay.event_arrived();
        }
        let item = match (self.decode)(data) {
            Ok(decoded) => Ok(ServerEvent {
                event,
                id: self.last_id.clone(),
                retry,
                data: decoded,
            }),
            Err(e) => Err(self.origin.undecodable(data, &e)),
        };
        self.data.clear();
        Some(self.origin.gave(item))
    }

    /// Copies the event's one line of data out of the read buffer, which
    /// is about to change (more data, or the next read).
    fn keep_data(&mut self) {
        if let Some(at) = self.data_at.take() {
            self.data.extend_from_slice(&self.lines.buffer[at]);
        }
    }

    /// The connection dropped (`failed`): reconnects when the stream
    /// resumes, or gives the error that ends it.
    async fn resume(&mut self, failed: Failed) -> Result<(), Error> {
        let dropped = matches!(failed, Failed::Body(_) | Failed::Idle(_));
        let id = self.last_id.clone().filter(|id| !id.is_empty());
        let (Some(replay), Some(id), true) = (&mut self.replay, id, dropped) else {
            return Err(self.origin.failed(failed));
        };
        // Boxed: the reconnection's future (a whole call's) is built only
        // when a stream drops, and does not enlarge every `next`.
        let sent = &self.origin.info.secrets;
        let reconnecting = replay.reconnect(&id, self.reconnect_time, sent, &self.origin.span);
        let Some(reconnected) = Box::pin(reconnecting).await? else {
            return Err(self.origin.failed(failed));
        };
        // Later errors name the reconnection, and blank what every request
        // of the stream sent.
        self.origin.info = reconnected.info;
        self.origin.status = reconnected.status;
        self.lines.restart(reconnected.response);
        // An event the drop cut off is dropped.
        self.data.clear();
        self.data_at = None;
        self.has_data = false;
        self.event = None;
        self.retry = None;
        self.pending_id = None;
        Ok(())
    }

    /// The `id` of the last event that had one: what a reconnection sends
    /// as `Last-Event-ID` to resume after it.
    pub fn last_event_id(&self) -> Option<&str> {
        self.last_id.as_deref()
    }

    fn finish(
        &mut self,
        last: Option<Result<ServerEvent<T>, Error>>,
    ) -> Option<Result<ServerEvent<T>, Error>> {
        self.finished = true;
        self.origin
            .end(last.as_ref().and_then(|item| item.as_ref().err()));
        last
    }
}

impl StreamParts {
    /// The response read as Server-Sent Events.
    pub(crate) fn events<T>(self, decode: Decoder<T>) -> EventStream<T> {
        let (lines, origin, replay) = self.split();
        EventStream::new(lines, origin, decode, replay)
    }
}

#[cfg(test)]
mod tests {
    use super::super::lines::Source;
    use super::super::stream::tests::lines;
    use super::super::stream::{json, text};
    use super::*;
    use bytes::Bytes;

    fn events(pieces: Vec<&[u8]>) -> EventStream<String> {
        let (lines, origin) = lines(
            pieces.into_iter().map(Bytes::copy_from_slice).collect(),
            1024,
        );
        EventStream::new(lines, origin, text, None)
    }

    async fn all<T>(mut stream: EventStream<T>) -> Vec<Result<ServerEvent<T>, Error>> {
        let mut out = Vec::new();
        while let Some(item) = stream.next().await {
            out.push(item);
        }
        out
    }

    fn data<T: Clone>(items: &[Result<ServerEvent<T>, Error>]) -> Vec<T> {
        items
            .iter()
            .map(|i| match i {
                Ok(event) => event.data.clone(),
                Err(e) => panic!("an event, not {e:?}"),
            })
            .collect()
    }

    #[tokio::test]
    async fn events_follow_the_whatwg_rules() {
        let body: &[u8] = b"\xEF\xBB\xBF: a comment\r\nretry: 250\r\nevent: delta\r\ndata: one\r\ndata:two\r\n\r\n:keep-alive\n\nid: 7\rdata\r\rdata: after id\n\nevent: stray\n\ndata: cut off";
        let items = all(events(vec![body])).await;
        assert_eq!(data(&items), ["one\ntwo", "", "after id"]);
        let first = items[0].as_ref().ok().unwrap();
        assert_eq!(
            (first.event.as_deref(), first.retry),
            (Some("delta"), Some(Duration::from_millis(250)))
        );
        let second = items[1].as_ref().ok().unwrap();
        assert_eq!(
            (second.event.as_deref(), second.id.as_deref()),
            (None, Some("7"))
        );
        // The id persists; an event type does not.
        let third = items[2].as_ref().ok().unwrap();
        assert_eq!(
            (third.event.as_deref(), third.id.as_deref()),
            (None, Some("7"))
        );
    }

    #[tokio::test]
    async fn done_ends_the_stream_cleanly() {
        let items = all(events(vec![b"data: a\n\ndata: [DONE]\n\ndata: never\n\n"])).await;
        assert_eq!(data(&items), ["a"]);
    }

    /// The same stream, split anywhere (inside a CRLF, inside a UTF-8
    /// character), gives the same events.
    #[tokio::test]
    async fn any_split_gives_the_same_events() {
        let body = "data: {\"text\": \"h\u{e9}llo \u{1F600}\"}\r\n\r\nid: 2\r\ndata: line\r\ndata: two\r\r: c\ndata: \u{4e16}\u{754c}\n\n".as_bytes();
        let expected = data(&all(events(vec![body])).await);
        assert_eq!(expected.len(), 3);
        let mut state = 0x9E37_79B9_7F4A_7C15u64;
        for _ in 0..2_000 {
            let mut pieces: Vec<&[u8]> = Vec::new();
            let mut rest = body;
            while !rest.is_empty() {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                let cut = 1 + (state % 7) as usize;
                let (piece, after) = rest.split_at(cut.min(rest.len()));
                pieces.push(piece);
                rest = after;
            }
            assert_eq!(
                data(&all(events(pieces.clone())).await),
                expected,
                "{pieces:?}"
            );
        }
    }

    #[tokio::test]
    async fn hostile_streams_end_in_a_typed_error() {
        // An endless line: stopped at the limit, whatever more comes.
        let endless: Vec<Bytes> = (0..100).map(|_| Bytes::from(vec![b'x'; 100])).collect();
        let (lines_, origin) = lines(endless, 1024);
        let mut stream = EventStream::new(lines_, origin, text, None);
        assert!(matches!(
            stream.next().await,
            Some(Err(Error::BodyTooLarge { limit: 1024, .. }))
        ));
        assert!(stream.next().await.is_none());
        // A huge event of many short lines.
        let huge: Vec<Bytes> = (0..100)
            .map(|_| Bytes::from_static(b"data: xxxxxxxxxxxxxxxxxxxxxxxxx\n"))
            .collect();
        let (lines_, origin) = lines(huge, 1024);
        let stream = EventStream::new(lines_, origin, text, None);
        assert!(matches!(
            all(stream).await.as_slice(),
            [Err(Error::BodyTooLarge { .. })]
        ));
        // Invalid UTF-8.
        let items = all(events(vec![b"data: ok\n\ndata: \xFF\xFE\n\n"])).await;
        assert!(
            matches!(items.as_slice(), [Ok(_), Err(Error::Decode { .. })]),
            "{items:?}"
        );
    }

    #[tokio::test]
    async fn an_undecodable_event_is_an_error_item_and_the_stream_goes_on() {
        #[derive(Debug, Clone, PartialEq, serde::Deserialize)]
        struct Delta {
            n: u32,
        }
        let body: &[u8] =
            b"data: {\"n\": 1}\n\ndata: {\"n\": \"tok-SECRET-S\"}\n\ndata: {\"n\": 3}\n\n";
        let (lines_, origin) = lines(vec![Bytes::from_static(body)], 1024);
        let stream = EventStream::new(lines_, origin, json::<Delta>, None);
        let items = all(stream).await;
        assert_eq!(items.len(), 3);
        let Err(error) = &items[1] else {
            panic!("{items:?}")
        };
        assert!(matches!(error, Error::Decode { .. }));
        let text = format!("{error} {error:?}");
        assert!(!text.contains("SECRET"), "{text}");
        assert_eq!(items[2].as_ref().ok().map(|e| e.data.n), Some(3));
    }

    #[tokio::test]
    async fn a_silent_stream_ends_after_the_idle_timeout() {
        let (mut lines_, origin) = lines(Vec::new(), 1024);
        // A source that never answers: pending for ever.
        lines_.idle = Some(Duration::from_millis(200));
        lines_.source = Source::Http(never_ending().await);
        let mut stream = EventStream::new(lines_, origin, text, None);
        assert!(matches!(
            stream.next().await,
            Some(Err(Error::Timeout { .. }))
        ));
    }

    /// A response whose head came and whose body never does.
    async fn never_ending() -> reqwest::Response {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        tokio::spawn(async move {
            let (mut socket, _) = listener.accept().await.unwrap();
            let mut buf = [0u8; 1024];
            let _ = socket.read(&mut buf).await;
            let _ = socket
                .write_all(b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n")
                .await;
            std::future::pending::<()>().await;
        });
        reqwest::Client::new()
            .get(format!("http://{address}"))
            .send()
            .await
            .unwrap()
    }
}

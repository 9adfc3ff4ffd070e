//! A streamed body read line by line within its limits, for the event
//! and record readers (`events.rs`, `stream.rs`). Lines are ranges of one
//! buffer, never copied; a line is cut only at its line end (`\n`, `\r\n`
//! or `\r`), so UTF-8 split across network chunks arrives whole, and a
//! leading BOM is dropped.

use std::time::Duration;

use bytes::Bytes;

/// Where a stream's bytes come from.
pub(super) enum Source {
    Http(reqwest::Response),
    /// Pieces given in advance, as the network might split them (tests).
    #[cfg(test)]
    Pieces(std::collections::VecDeque<Bytes>),
}

impl Source {
    async fn chunk(&mut self) -> Result<Option<Bytes>, reqwest::Error> {
        match self {
            Source::Http(response) => response.chunk().await,
            #[cfg(test)]
            Source::Pieces(pieces) => Ok(pieces.pop_front()),
        }
    }
}

/// Reads a stream's body line by line within its limits.
pub(super) struct Lines {
    pub(super) source: Source,
    /// What has been read and not yet taken; lines are ranges into it.
    pub(super) buffer: Vec<u8>,
    /// Where the unread part of `buffer` starts.
    start: usize,
    /// Whether the body has ended.
    pub(super) ended: bool,
    /// Whether the stream's first bytes are still to come (for the BOM).
    first: bool,
    max_bytes: usize,
    pub(super) idle: Option<Duration>,
}

impl Lines {
    /// Reads `source`, stopping at a line (or event) longer than
    /// `max_bytes` and after `idle` without a byte.
    pub(super) fn new(source: Source, max_bytes: usize, idle: Option<Duration>) -> Lines {
        Lines {
            source,
            buffer: Vec::new(),
            start: 0,
            ended: false,
            first: true,
            max_bytes,
            idle,
        }
    }

    /// Where the next line lies in [`Self::buffer`], without its line end,
    /// valid until the next call; `Ok(None)` at the end of the body (a
    /// last line without a line end included). Lines are not copied.
    pub(super) async fn next(&mut self) -> Result<Option<std::ops::Range<usize>>, Failed> {
        loop {
            if let Some(line) = self.take_line() {
                return Ok(Some(line));
            }
            if let Some(last) = self.take_last() {
                return Ok(Some(last));
            }
            if self.ended {
                return Ok(None);
            }
            self.fill().await?;
        }
    }

    /// After the body's end, what is left of it as one last line.
    pub(super) fn take_last(&mut self) -> Option<std::ops::Range<usize>> {
        (self.ended && self.start < self.buffer.len()).then(|| {
            let line = self.start..self.buffer.len();
            self.start = self.buffer.len();
            line
        })
    }

    /// Reads the next piece of the body into the buffer (or marks its
    /// end), within the limits.
    pub(super) async fn fill(&mut self) -> Result<(), Failed> {
        if self.buffer.len() - self.start > self.max_bytes {
            return Err(Failed::TooLarge);
        }
        let chunk = match self.idle {
            Some(idle) => tokio::time::timeout(idle, self.source.chunk())
                .await
                .map_err(|_| Failed::Idle(idle))?,
            None => self.source.chunk().await,
        };
        match chunk.map_err(Failed::Body)? {
            Some(chunk) => {
                if self.start > 0 {
                    self.buffer.drain(..self.start);
                    self.start = 0;
                }
                self.buffer.extend_from_slice(&chunk);
                if self.first && self.buffer.len() >= 3 {
                    self.first = false;
                    if self.buffer.starts_with(b"\xEF\xBB\xBF") {
                        self.start = 3;
                    }
                }
            }
            None => {
                self.ended = true;
                if self.first && self.buffer[self.start..].starts_with(b"\xEF\xBB\xBF") {
                    self.start += 3;
                }
            }
        }
        Ok(())
    }

    /// A whole line from the buffer, if one has arrived. A `\r` at the end
    /// of what has arrived waits for the next byte, which may be its `\n`.
    pub(super) fn take_line(&mut self) -> Option<std::ops::Range<usize>> {
        if self.first && !self.ended {
            return None;
        }
        let rest = &self.buffer[self.start..];
        let end = memchr::memchr2(b'\n', b'\r', rest)?;
        let crlf = match (rest[end], rest.get(end + 1)) {
            (b'\r', Some(b'\n')) => true,
            (b'\r', None) if !self.ended => return None,
            _ => false,
        };
        let line = self.start..self.start + end;
        self.start += end + if crlf { 2 } else { 1 };
        Some(line)
    }
}

impl Lines {
    /// Reads on from a new connection's body: nothing of the old one is
    /// kept (a line it cut off is dropped), and a BOM may start it again.
    pub(super) fn restart(&mut self, response: reqwest::Response) {
        self.source = Source::Http(response);
        self.buffer.clear();
        self.start = 0;
        self.ended = false;
        self.first = true;
    }
}

/// Why reading a stream stopped, before the request is named.
pub(super) enum Failed {
    TooLarge,
    Idle(Duration),
    Body(reqwest::Error),
}

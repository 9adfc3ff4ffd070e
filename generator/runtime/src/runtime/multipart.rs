//! `multipart/form-data` request bodies.

use std::fmt;

/// A file to upload in a `multipart/form-data` body.
///
/// The part always carries a `filename`: most servers (Starlette and
/// FastAPI among them) read a part without one as a text field, refusing
/// the upload or decoding its bytes as text. Without
/// [`Self::with_file_name`], the name is the form field's own (`file`).
/// The content type is `application/octet-stream` unless set.
#[derive(Clone, PartialEq, Eq)]
pub struct FilePart {
    pub bytes: Vec<u8>,
    pub file_name: Option<String>,
    pub content_type: Option<String>,
}

impl FilePart {
    pub fn new(bytes: impl Into<Vec<u8>>) -> Self {
        FilePart {
            bytes: bytes.into(),
            file_name: None,
            content_type: None,
        }
    }

    pub fn with_file_name(mut self, name: impl Into<String>) -> Self {
        self.file_name = Some(name.into());
        self
    }

    pub fn with_content_type(mut self, content_type: impl Into<String>) -> Self {
        self.content_type = Some(content_type.into());
        self
    }
}

impl fmt::Debug for FilePart {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The contents may be large (or private): show their size only.
        f.debug_struct("FilePart")
            .field("bytes", &format_args!("<{} bytes>", self.bytes.len()))
            .field("file_name", &self.file_name)
            .field("content_type", &self.content_type)
            .finish()
    }
}

/// A body being assembled part by part.
pub(crate) struct Multipart {
    boundary: String,
    body: Vec<u8>,
}

/// Quotes a name for a `Content-Disposition` parameter the way browsers
/// do (WHATWG's multipart encoding): `"`, CR and LF percent-encoded, other
/// control characters dropped, so a name can neither end the parameter nor
/// the header line, whatever the server's parser makes of backslashes.
fn quoted(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.chars() {
        match c {
            '"' => out.push_str("%22"),
            '\r' => out.push_str("%0D"),
            '\n' => out.push_str("%0A"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// A content type that can stand in a part's header: `type/subtype` and
/// parameters, printable ASCII only, so it cannot end the header line and
/// add headers or parts of its own.
fn valid_content_type(text: &str) -> bool {
    let essence = text.split(';').next().unwrap_or_default().trim();
    let token = |t: &str| {
        !t.is_empty()
            && t.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"!#$&-^_.+".contains(&b))
    };
    let shape = essence
        .split_once('/')
        .is_some_and(|(kind, sub)| token(kind) && token(sub));
    shape && text.bytes().all(|b| b == b' ' || b.is_ascii_graphic())
}

impl Multipart {
    pub fn new() -> Self {
        let boundary = format!("----client-boundary-{:016x}", super::retry::random_u64());
        Multipart {
            boundary,
            body: Vec::new(),
        }
    }

    fn part(&mut self, disposition: &str, content_type: Option<&str>, bytes: &[u8]) {
        self.body
            .extend_from_slice(format!("--{}\r\n", self.boundary).as_bytes());
        self.body.extend_from_slice(
            format!("Content-Disposition: form-data; {disposition}\r\n").as_bytes(),
        );
        if let Some(content_type) = content_type {
            self.body
                .extend_from_slice(format!("Content-Type: {content_type}\r\n").as_bytes());
        }
        self.body.extend_from_slice(b"\r\n");
        self.body.extend_from_slice(bytes);
        self.body.extend_from_slice(b"\r\n");
    }

    /// A field: scalars as text, each array item as its own part, objects
    /// as JSON. `None` adds nothing.
    pub fn field(&mut self, name: &str, value: &impl serde::Serialize) -> Result<(), String> {
        let value = serde_json::to_value(value)
            .map_err(|e| format!("form field `{name}` does not serialise: {e}"))?;
        let items = match value {
            serde_json::Value::Array(items) => items,
            other => vec![other],
        };
        for item in items {
            let disposition = format!("name=\"{}\"", quoted(name));
            match item {
                serde_json::Value::Null => {}
                serde_json::Value::String(s) => self.part(&disposition, None, s.as_bytes()),
                serde_json::Value::Object(_) | serde_json::Value::Array(_) => self.part(
                    &disposition,
                    Some("application/json"),
                    item.to_string().as_bytes(),
                ),
                other => self.part(&disposition, None, other.to_string().as_bytes()),
            }
        }
        Ok(())
    }

    /// A file part. Fails when its content type is not a valid one.
    pub fn file(&mut self, name: &str, file: &FilePart) -> Result<(), String> {
        let content_type = file
            .content_type
            .as_deref()
            .unwrap_or("application/octet-stream");
        if !valid_content_type(content_type) {
            return Err(format!(
                "content type of file part `{name}` is not a valid `type/subtype`"
            ));
        }
        // A part without a file name is a text field to most servers.
        let file_name = file.file_name.as_deref().unwrap_or(name);
        let disposition = format!(
            "name=\"{}\"; filename=\"{}\"",
            quoted(name),
            quoted(file_name)
        );
        self.part(&disposition, Some(content_type), &file.bytes);
        Ok(())
    }

    pub fn files(&mut self, name: &str, files: &[FilePart]) -> Result<(), String> {
        files.iter().try_for_each(|file| self.file(name, file))
    }

    /// The body and its `Content-Type` header value.
    pub fn finish(mut self) -> (Vec<u8>, String) {
        self.body
            .extend_from_slice(format!("--{}--\r\n", self.boundary).as_bytes());
        (
            self.body,
            format!("multipart/form-data; boundary={}", self.boundary),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_are_framed_and_named() {
        let mut form = Multipart::new();
        form.field("title", &"Hello").unwrap();
        form.field("tags", &vec!["a", "b"]).unwrap();
        form.field("missing", &None::<String>).unwrap();
        form.file(
            "upload",
            &FilePart::new(b"\x00\x01".to_vec()).with_file_name("a \"b\".bin"),
        )
        .unwrap();
        let boundary = form.boundary.clone();
        let (body, content_type) = form.finish();
        assert_eq!(
            content_type,
            format!("multipart/form-data; boundary={boundary}")
        );
        let text = String::from_utf8_lossy(&body);
        assert_eq!(text.matches(&format!("--{boundary}\r\n")).count(), 4);
        assert!(text.contains("name=\"title\"\r\n\r\nHello\r\n"));
        assert!(text.contains("name=\"upload\"; filename=\"a %22b%22.bin\"\r\nContent-Type: application/octet-stream\r\n\r\n"));
        assert!(text.ends_with(&format!("--{boundary}--\r\n")));
        assert!(!text.contains("missing"));
    }

    /// A file without a name of its own is still a file part (named after
    /// its field), with its bytes as they are, not valid UTF-8 or not.
    #[test]
    fn a_file_without_a_name_is_still_a_file() {
        let mut form = Multipart::new();
        form.file("file", &FilePart::new(vec![0xFF, 0xFE, 0x00, 0xC3]))
            .unwrap();
        let (body, _) = form.finish();
        let head = b"Content-Disposition: form-data; name=\"file\"; filename=\"file\"\r\nContent-Type: application/octet-stream\r\n\r\n\xFF\xFE\x00\xC3\r\n";
        assert!(
            body.windows(head.len()).any(|w| w == head),
            "{}",
            String::from_utf8_lossy(&body)
        );
    }

    #[test]
    fn content_types_cannot_add_parts_or_headers() {
        let mut form = Multipart::new();
        let injected = "text/plain\r\nContent-Disposition: form-data; name=\"role\"\r\n\r\nadmin";
        for bad in [
            injected,
            "text/plain\n",
            "text",
            "/plain",
            "text/pl ain",
            "text/plain; x=\u{1b}",
        ] {
            let part = FilePart::new(b"x".to_vec()).with_content_type(bad);
            assert!(form.file("upload", &part).is_err(), "{bad:?}");
        }
        for good in [
            "text/plain",
            "application/vnd.api+json",
            "text/plain; charset=utf-8",
        ] {
            assert!(
                form.file(
                    "upload",
                    &FilePart::new(b"x".to_vec()).with_content_type(good)
                )
                .is_ok(),
                "{good}"
            );
        }
        let part = FilePart::new(b"x".to_vec()).with_file_name("a\r\nX-Injected: 1\u{0}.txt");
        form.file("upload", &part).unwrap();
        let (body, _) = form.finish();
        let text = String::from_utf8_lossy(&body);
        assert!(!text.contains("\r\nX-Injected"), "{text}");
        assert_eq!(text.matches("Content-Disposition").count(), 4);
    }

    #[test]
    fn file_contents_stay_out_of_debug() {
        let file = FilePart::new(b"secret bytes".to_vec());
        assert!(!format!("{file:?}").contains("secret"));
    }
}

//! Which status a mock answers with for a response the operation declares:
//! one that the generated client reads back as that same response.

use super::{Operation, ResponseCase, StatusMatch};

impl Operation {
    /// The status to answer `case` with: its code; for a range (`4XX`) the
    /// first code of it no exact case claims; for `default`, the first of
    /// 500, 400, 599 … that no other case claims.
    pub fn answer_status(&self, case: &ResponseCase) -> u16 {
        let cases = || self.successes.iter().chain(&self.errors);
        let exact = |code: u16| cases().any(|c| c.status == StatusMatch::Code(code));
        let claimed =
            |code: u16| exact(code) || cases().any(|c| c.status == StatusMatch::Range(code / 100));
        match case.status {
            StatusMatch::Code(code) => code,
            StatusMatch::Range(hundreds) => {
                let low = hundreds * 100;
                (low..low + 100).find(|code| !exact(*code)).unwrap_or(low)
            }
            StatusMatch::Default => [500u16, 400]
                .into_iter()
                .chain((400..600).rev())
                .find(|code| !claimed(*code))
                .unwrap_or(500),
        }
    }
}

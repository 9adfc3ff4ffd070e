//! Formatted strings: the crate that holds each (`[formats]` in
//! `codegen.toml`), and the JSON text the generated client writes for
//! them, so the round-trip tests know what to expect: `chrono` writes date-times in UTC
//! with `Z` and 0, 3, 6 or 9 fractional digits, `jiff` with as few as the
//! value needs; `uuid` writes lowercase hyphenated ids; `rust_decimal`
//! writes a decimal as a string of its digits, keeping its scale.

use super::configure::closest;
use super::{Api, Formats, TimeCrate, TypeDef, TypeKind, TypeRef};
use crate::config::{ClientConfig, ConfigError};
use serde_json::Value;
use toml::Spanned;

/// `[formats]`: the crate that holds each formatted string. Read before
/// any schema is converted: a format kept as text is a plain string from
/// the start (named, ordered in unions and redacted as one).
pub(super) fn chosen(config: &ClientConfig) -> Result<Formats, ConfigError> {
    let chosen = &config.formats;
    let time = |choice: &Option<Spanned<String>>| -> Result<Option<TimeCrate>, ConfigError> {
        let Some(choice) = choice else {
            return Ok(None);
        };
        match choice.get_ref().as_str() {
            "chrono" => Ok(Some(TimeCrate::Chrono)),
            "jiff" => Ok(Some(TimeCrate::Jiff)),
            "string" => Ok(Some(TimeCrate::Text)),
            "time" => Err(config.error_at(
                choice,
                "`time` is not offered: its types do not read and write RFC 3339 through serde unless each field says so; use \"jiff\" or \"chrono\"",
            )),
            other => {
                let hint = closest(other, ["chrono", "jiff", "string"]);
                Err(config.error_at(
                    choice,
                    format!("`{other}` is not a crate for dates (chrono, jiff or string){hint}"),
                ))
            }
        }
    };
    let either =
        |choice: &Option<Spanned<String>>, yes: &str| -> Result<Option<bool>, ConfigError> {
            let Some(choice) = choice else {
                return Ok(None);
            };
            match choice.get_ref().as_str() {
                "string" => Ok(Some(false)),
                c if c == yes => Ok(Some(true)),
                other => {
                    let hint = closest(other, [yes, "string"]);
                    Err(config.error_at(
                        choice,
                        format!("`{other}` is not offered here ({yes} or string){hint}"),
                    ))
                }
            }
        };
    let mut formats = Formats::DEFAULT;
    if let Some(date_time) = time(&chosen.date_time)? {
        formats.date_time = date_time;
    }
    if let Some(date) = time(&chosen.date)? {
        formats.date = date;
    }
    if let Some(uuid) = either(&chosen.uuid, "uuid")? {
        formats.uuid = uuid;
    }
    if let Some(decimal) = either(&chosen.decimal, "rust_decimal")? {
        formats.decimal = decimal;
    }
    Ok(formats)
}

/// With `decimal = "rust_decimal"`, FastAPI's decimals (a number, or a
/// string with pydantic's decimal pattern) become `Decimal` too.
pub(super) fn decimal_unions(api: &mut Api, raw: &Value) {
    if !api.formats.decimal {
        return;
    }
    for def in &mut api.types {
        if is_fastapi_decimal(def, raw) {
            def.kind = TypeKind::Alias(TypeRef::Decimal);
            let note = "A decimal, as FastAPI describes one (a number, or a string of digits): read from either, and sent as a string, so that its value and scale arrive exactly.";
            def.docs.text = Some(match def.docs.text.take() {
                Some(text) => format!("{text}\n\n{note}"),
                None => note.to_owned(),
            });
        }
    }
}

/// The start of every pattern pydantic gives a decimal's string form
/// (`^(?!^[-+.]*$)[+-]?0*\d*\.?\d*$`, or longer with digit limits).
const PYDANTIC_DECIMAL_PATTERN: &str = r"^(?!^[-+.]*$)[+-]?0*";

/// A union of a number and a string whose schema gives the string
/// pydantic's decimal pattern: how FastAPI describes a `Decimal`.
fn is_fastapi_decimal(def: &TypeDef, raw: &Value) -> bool {
    let TypeKind::Union(union) = &def.kind else {
        return false;
    };
    let mut kinds: Vec<&TypeRef> = union.variants.iter().map(|v| &v.ty).collect();
    kinds.sort_by_key(|t| matches!(t, TypeRef::String));
    if !matches!(kinds.as_slice(), [TypeRef::Float(_), TypeRef::String]) {
        return false;
    }
    let Some(schema) = def.origin.resolve(raw) else {
        return false;
    };
    ["anyOf", "oneOf"].iter().any(|key| {
        schema
            .get(key)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .any(|member| {
                member.get("type").and_then(Value::as_str) == Some("string")
                    && member
                        .get("pattern")
                        .and_then(Value::as_str)
                        .is_some_and(|pattern| pattern.starts_with(PYDANTIC_DECIMAL_PATTERN))
            })
    })
}

/// Days since 1970-01-01 of a proleptic Gregorian date.
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        _ => 28,
    }
}

fn digits(s: &str, len: usize) -> Option<i64> {
    (s.len() == len && s.bytes().all(|b| b.is_ascii_digit())).then(|| s.parse().ok())?
}

/// `YYYY-MM-DD`, checked.
fn parse_date(text: &str) -> Option<(i64, i64, i64)> {
    let (y, rest) = text.split_at_checked(4)?;
    let rest = rest.strip_prefix('-')?;
    let (m, rest) = rest.split_at_checked(2)?;
    let d = rest.strip_prefix('-')?;
    let (year, month, day) = (digits(y, 4)?, digits(m, 2)?, digits(d, 2)?);
    ((1..=12).contains(&month) && (1..=days_in_month(year, month)).contains(&day))
        .then_some((year, month, day))
}

/// A `format: date` value as `chrono::NaiveDate` writes it.
pub fn canonical_date(text: &str) -> Option<String> {
    parse_date(text).map(|(y, m, d)| format!("{y:04}-{m:02}-{d:02}"))
}

/// An RFC 3339 date-time as `chrono::DateTime<Utc>` writes it.
pub fn canonical_date_time(text: &str) -> Option<String> {
    let split = text.find(['T', 't', ' '])?;
    let (year, month, day) = parse_date(&text[..split])?;
    let rest = &text[split + 1..];
    let (hms, rest) = rest.split_at_checked(8)?;
    let parts: Vec<&str> = hms.split(':').collect();
    let [h, mi, s] = parts.as_slice() else {
        return None;
    };
    let (hour, minute, second) = (digits(h, 2)?, digits(mi, 2)?, digits(s, 2)?);
    if hour > 23 || minute > 59 || second > 59 {
        return None;
    }
    let (nanos, zone) = match rest.strip_prefix('.') {
        Some(frac) => {
            let end = frac
                .find(|c: char| !c.is_ascii_digit())
                .unwrap_or(frac.len());
            if end == 0 {
                return None;
            }
            let kept: String = frac[..end].chars().take(9).collect();
            let nanos = format!("{kept:0<9}").parse::<i64>().ok()?;
            (nanos, &frac[end..])
        }
        None => (0, rest),
    };
    let offset = match zone {
        "Z" | "z" => 0,
        _ => {
            let sign = match zone.chars().next()? {
                '+' => 1,
                '-' => -1,
                _ => return None,
            };
            let (oh, om) = zone[1..].split_once(':')?;
            let (oh, om) = (digits(oh, 2)?, digits(om, 2)?);
            if oh > 23 || om > 59 {
                return None;
            }
            sign * (oh * 3600 + om * 60)
        }
    };
    let seconds =
        days_from_civil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second - offset;
    let (days, of_day) = (seconds.div_euclid(86_400), seconds.rem_euclid(86_400));
    let (y, m, d) = civil_from_days(days);
    if !(0..=9999).contains(&y) {
        return None;
    }
    let fraction = if nanos == 0 {
        String::new()
    } else if nanos % 1_000_000 == 0 {
        format!(".{:03}", nanos / 1_000_000)
    } else if nanos % 1_000 == 0 {
        format!(".{:06}", nanos / 1_000)
    } else {
        format!(".{nanos:09}")
    };
    Some(format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}{fraction}Z",
        of_day / 3600,
        of_day % 3600 / 60,
        of_day % 60
    ))
}

/// An RFC 3339 date-time as `jiff::Timestamp` writes it: in UTC, with as
/// many fractional digits as the value needs. Text with more than nine
/// fractional digits, or after 9999-12-30T22:00Z, is left to the caller
/// (jiff refuses it).
pub fn canonical_date_time_minimal(text: &str) -> Option<String> {
    let fraction_digits = text.split_once('.').map_or(0, |(_, rest)| {
        rest.bytes().take_while(u8::is_ascii_digit).count()
    });
    if fraction_digits > 9 {
        return None;
    }
    let chrono = canonical_date_time(text)?;
    // jiff's timestamps end there (so that any offset keeps a civil date
    // within years -9999 to 9999).
    if chrono
        .get(..19)
        .is_some_and(|whole| whole > "9999-12-30T22:00:00")
    {
        return None;
    }
    match chrono.split_once('.') {
        Some((whole, fraction)) => {
            let digits = fraction.trim_end_matches('Z').trim_end_matches('0');
            Some(format!("{whole}.{digits}Z"))
        }
        None => Some(chrono),
    }
}

/// The most digits a `rust_decimal::Decimal` holds for certain.
const DECIMAL_DIGITS: usize = 28;

/// A decimal as `rust_decimal::Decimal` writes it: a string of digits with
/// the scale it was given (`"12.30"`), no `+`, no leading zeros and no
/// negative zero. Read from a string of digits with an optional point, or
/// from a JSON number whose shortest form is one; anything else (an
/// exponent, more digits than it holds) is left to the caller.
pub fn canonical_decimal(value: &serde_json::Value) -> Option<String> {
    let text = match value {
        serde_json::Value::String(text) => text.clone(),
        serde_json::Value::Number(number) => match (number.as_i64(), number.as_u64()) {
            (Some(i), _) => i.to_string(),
            (_, Some(u)) => u.to_string(),
            _ => format!("{}", number.as_f64()?),
        },
        _ => return None,
    };
    let unsigned = text.strip_prefix(['-', '+']).unwrap_or(&text);
    let negative = text.starts_with('-');
    let (whole, fraction) = unsigned.split_once('.').unwrap_or((unsigned, ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() || !digits(whole) || !digits(fraction) || unsigned.ends_with('.') {
        return None;
    }
    let whole = whole.trim_start_matches('0');
    let whole = if whole.is_empty() { "0" } else { whole };
    let significant = whole.trim_start_matches('0').len() + fraction.len();
    if significant > DECIMAL_DIGITS || fraction.len() > DECIMAL_DIGITS {
        return None;
    }
    // A JSON number goes through `f64`: only its shortest form is certain.
    if matches!(value, serde_json::Value::Number(n) if n.as_f64().is_some() && !n.is_i64() && !n.is_u64())
        && significant > 15
    {
        return None;
    }
    let zero = whole == "0" && fraction.bytes().all(|b| b == b'0');
    let sign = if negative && !zero { "-" } else { "" };
    Some(if fraction.is_empty() {
        format!("{sign}{whole}")
    } else {
        format!("{sign}{whole}.{fraction}")
    })
}

/// A UUID as the `uuid` crate writes it: lowercase, hyphenated.
pub fn canonical_uuid(text: &str) -> Option<String> {
    let bare = text.strip_prefix("urn:uuid:").unwrap_or(text);
    let bare = bare
        .strip_prefix('{')
        .and_then(|b| b.strip_suffix('}'))
        .unwrap_or(bare);
    let hex: String = if bare.len() == 36 {
        let dashes = [8, 13, 18, 23];
        if !dashes.iter().all(|&i| bare.as_bytes()[i] == b'-') {
            return None;
        }
        bare.chars().filter(|c| *c != '-').collect()
    } else {
        bare.to_owned()
    };
    if hex.len() != 32 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let hex = hex.to_ascii_lowercase();
    Some(format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn date_times_are_moved_to_utc() {
        assert_eq!(
            canonical_date_time("2024-01-02T03:04:05Z").as_deref(),
            Some("2024-01-02T03:04:05Z")
        );
        assert_eq!(
            canonical_date_time("2024-01-01T01:30:00+02:00").as_deref(),
            Some("2023-12-31T23:30:00Z")
        );
        assert_eq!(
            canonical_date_time("2024-02-28T23:00:00-01:30").as_deref(),
            Some("2024-02-29T00:30:00Z")
        );
        assert_eq!(
            canonical_date_time("2024-01-02T03:04:05.5Z").as_deref(),
            Some("2024-01-02T03:04:05.500Z")
        );
        assert_eq!(
            canonical_date_time("2024-01-02T03:04:05.1234Z").as_deref(),
            Some("2024-01-02T03:04:05.123400Z")
        );
        assert_eq!(
            canonical_date_time("2024-01-02T03:04:05.000Z").as_deref(),
            Some("2024-01-02T03:04:05Z")
        );
        for bad in [
            "2024-13-01T00:00:00Z",
            "2024-02-30T00:00:00Z",
            "2024-01-01",
            "2024-01-01T25:00:00Z",
            "2024-01-01T00:00:00",
        ] {
            assert_eq!(canonical_date_time(bad), None, "{bad}");
        }
    }

    #[test]
    fn civil_dates_round_trip() {
        for days in [-800_000, -1, 0, 1, 59, 10_957, 19_723, 2_932_896] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
    }

    #[test]
    fn jiff_writes_as_few_fractional_digits_as_needed() {
        let minimal = |t| canonical_date_time_minimal(t);
        assert_eq!(
            minimal("2024-05-06T07:08:09.5Z").as_deref(),
            Some("2024-05-06T07:08:09.5Z")
        );
        assert_eq!(
            minimal("2024-05-06T07:08:09.123400Z").as_deref(),
            Some("2024-05-06T07:08:09.1234Z")
        );
        assert_eq!(
            minimal("2024-05-06T07:08:09.000Z").as_deref(),
            Some("2024-05-06T07:08:09Z")
        );
        assert_eq!(
            minimal("2024-01-01T01:30:00+02:00").as_deref(),
            Some("2023-12-31T23:30:00Z")
        );
        assert_eq!(minimal("2024-05-06T07:08:09.1234567891Z"), None);
        assert_eq!(minimal("9999-12-31T23:59:59Z"), None);
        assert_eq!(
            minimal("9999-12-30T22:00:00.5Z").as_deref(),
            Some("9999-12-30T22:00:00.5Z")
        );
    }

    #[test]
    fn decimals_keep_their_scale() {
        use serde_json::json;
        let decimal = |v| canonical_decimal(&v);
        assert_eq!(decimal(json!("1.50")).as_deref(), Some("1.50"));
        assert_eq!(decimal(json!("+1.5")).as_deref(), Some("1.5"));
        assert_eq!(decimal(json!("-0.00")).as_deref(), Some("0.00"));
        assert_eq!(decimal(json!("007.10")).as_deref(), Some("7.10"));
        assert_eq!(decimal(json!(12.3)).as_deref(), Some("12.3"));
        assert_eq!(decimal(json!(3)).as_deref(), Some("3"));
        assert_eq!(decimal(json!(1e3)).as_deref(), Some("1000"));
        for bad in [
            json!("1e3"),
            json!(" 1.5"),
            json!("1."),
            json!(".5"),
            json!("x"),
            json!(true),
        ] {
            assert_eq!(decimal(bad.clone()), None, "{bad}");
        }
        assert_eq!(decimal(json!("79228162514264337593543950336")), None);
    }

    #[test]
    fn dates_and_uuids() {
        assert_eq!(canonical_date("2024-02-29").as_deref(), Some("2024-02-29"));
        assert_eq!(canonical_date("2023-02-29"), None);
        assert_eq!(
            canonical_uuid("3FA85F64-5717-4562-B3FC-2C963F66AFA6").as_deref(),
            Some("3fa85f64-5717-4562-b3fc-2c963f66afa6")
        );
        assert_eq!(
            canonical_uuid("3fa85f6457174562b3fc2c963f66afa6").as_deref(),
            Some("3fa85f64-5717-4562-b3fc-2c963f66afa6")
        );
        assert_eq!(canonical_uuid("not-a-uuid"), None);
    }
}

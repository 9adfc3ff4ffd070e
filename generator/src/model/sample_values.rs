//! Values that satisfy a schema's constraints, for synthesised samples. The
//! model's types say what shape a value has; the schema says which values it
//! allows (`enum`, bounds, lengths, `pattern`, formats, item counts). When
//! no value can be found, the reason says why, and the sample is skipped.

use crate::error::Pointer;
use crate::load::normalize::{X_NULL, X_PREFIX_ITEMS};
use serde_json::{Map, Value, json};

/// Keywords that constrain a value, gathered from a schema, the targets of
/// its `$ref`s and its `allOf` members (the nearest wins).
const CONSTRAINTS: [&str; 19] = [
    "additionalProperties",
    X_PREFIX_ITEMS,
    "enum",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "multipleOf",
    "minLength",
    "maxLength",
    "pattern",
    "format",
    "minItems",
    "maxItems",
    "uniqueItems",
    "minProperties",
    "items",
    "not",
    X_NULL,
];

/// The constraining keywords of the schema at `schema`.
pub(super) fn keywords(raw: &Value, schema: &Value) -> Map<String, Value> {
    let mut out = Map::new();
    gather(raw, schema, &mut out, 0);
    out
}

fn gather(raw: &Value, schema: &Value, out: &mut Map<String, Value>, depth: usize) {
    if depth > 16 {
        return;
    }
    let Some(obj) = schema.as_object() else {
        return;
    };
    for key in CONSTRAINTS {
        if let Some(v) = obj.get(key) {
            out.entry(key).or_insert_with(|| v.clone());
        }
    }
    if let Some(target) = obj
        .get("$ref")
        .and_then(Value::as_str)
        .and_then(Pointer::from_ref)
        .and_then(|p| p.resolve(raw))
    {
        gather(raw, target, out, depth + 1);
    }
    if let Some(Value::Array(members)) = obj.get("allOf") {
        for m in members {
            gather(raw, m, out, depth + 1);
        }
    }
}

/// For an object whose `oneOf`/`anyOf` members only list required
/// properties ("either `category` or `categorySlug`"): the properties the
/// first alternative requires, and, for `oneOf`, those only the others
/// require (a sample must not satisfy two).
pub(super) fn required_alternative(schema: Option<&Value>) -> (Vec<String>, Vec<String>) {
    let required = |m: &Value| -> Option<Vec<String>> {
        let obj = m.as_object()?;
        let only_required = obj
            .keys()
            .all(|k| matches!(k.as_str(), "required" | "type" | "title" | "description"));
        let list = obj.get("required")?.as_array()?;
        only_required.then(|| {
            list.iter()
                .filter_map(|r| r.as_str().map(str::to_owned))
                .collect()
        })
    };
    let Some(schema) = schema else {
        return Default::default();
    };
    for (key, exclusive) in [("oneOf", true), ("anyOf", false)] {
        let Some(Value::Array(members)) = schema.get(key) else {
            continue;
        };
        let Some(lists) = members.iter().map(required).collect::<Option<Vec<_>>>() else {
            continue;
        };
        let Some(first) = lists.first().cloned() else {
            continue;
        };
        let excluded = if exclusive {
            lists[1..]
                .iter()
                .flatten()
                .filter(|r| !first.contains(r))
                .cloned()
                .collect()
        } else {
            Vec::new()
        };
        return (first, excluded);
    }
    Default::default()
}

/// `value`, the type's default sample, changed to satisfy `kw`.
pub(super) fn fit(value: Value, kw: &Map<String, Value>) -> Result<Value, String> {
    if kw.get(X_NULL) == Some(&Value::Bool(true)) {
        return Ok(Value::Null);
    }
    if let Some(Value::Array(allowed)) = kw.get("enum") {
        // The first allowed value of the value's JSON type.
        let same_type = |v: &&Value| std::mem::discriminant(*v) == std::mem::discriminant(&value);
        return allowed
            .iter()
            .find(same_type)
            .cloned()
            .ok_or_else(|| format!("no `enum` value has the type of {value}"));
    }
    let value = match value {
        Value::Number(n) if n.is_f64() => number(n.as_f64().unwrap_or(1.5), kw, false)?,
        Value::Number(n) => number(n.as_f64().unwrap_or(7.0), kw, true)?,
        Value::String(s) => Value::String(string(s, kw)?),
        Value::Array(items) => Value::Array(array(items, kw)?),
        Value::Object(map) => Value::Object(object(map, kw)?),
        other => other,
    };
    if let Some(not) = kw.get("not") {
        if excluded(&value, not) {
            return Err(format!("the sample {value} is excluded by `not`"));
        }
    }
    Ok(value)
}

/// Whether `not: {type: T}` (the only form checked) excludes `value`.
fn excluded(value: &Value, not: &Value) -> bool {
    let Some(obj) = not.as_object() else {
        return false;
    };
    match obj.get("type").and_then(Value::as_str) {
        Some(t) if obj.len() == 1 => json_type(value) == t || (t == "number" && value.is_number()),
        // `not: {}` excludes everything; anything else is not checked.
        None => obj.is_empty(),
        _ => false,
    }
}

fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

fn number(default: f64, kw: &Map<String, Value>, integer: bool) -> Result<Value, String> {
    let bound = |key: &str| kw.get(key).and_then(Value::as_f64);
    let exclusive = |key: &str| kw.get(key) == Some(&Value::Bool(true));
    let step = bound("multipleOf").filter(|m| *m > 0.0);
    let (mut low, mut high) = (bound("minimum"), bound("maximum"));
    // Exclusive bounds: the nearest allowed neighbour.
    let nudge = |b: f64, up: bool| {
        let delta = if integer {
            1.0
        } else {
            (b.abs() * 1e-9).max(1e-6)
        };
        if up { b + delta } else { b - delta }
    };
    if exclusive("exclusiveMinimum") {
        low = low.map(|b| nudge(b, true));
    }
    if exclusive("exclusiveMaximum") {
        high = high.map(|b| nudge(b, false));
    }
    let mut v = default;
    if let Some(l) = low {
        v = v.max(l);
    }
    if let Some(h) = high {
        v = v.min(h);
    }
    if integer {
        v = match (low, high) {
            (Some(l), _) if v < l.ceil() => l.ceil(),
            (_, Some(h)) if v > h.floor() => h.floor(),
            _ => v.round(),
        };
    }
    if let Some(m) = step {
        v = (v / m).ceil() * m;
        if high.is_some_and(|h| v > h) {
            v = (v / m).floor() * m;
        }
    }
    if low.is_some_and(|l| v < l) || high.is_some_and(|h| v > h) {
        return Err(format!(
            "no number between {low:?} and {high:?} fits the other constraints"
        ));
    }
    if integer {
        if v.abs() > 9.0e15 {
            return Err(format!(
                "the integer bound {v} is too large to sample exactly"
            ));
        }
        Ok(json!(v as i64))
    } else {
        serde_json::Number::from_f64(v)
            .map(Value::Number)
            .ok_or_else(|| "no finite number fits the bounds".to_owned())
    }
}

/// A string in a format the JSON Schema validators check.
fn formatted(format: &str) -> Option<&'static str> {
    Some(match format {
        "email" | "idn-email" => "user@example.com",
        "uri" | "url" | "iri" | "uri-reference" | "iri-reference" => "https://example.com/",
        "hostname" | "idn-hostname" => "example.com",
        "ipv4" => "192.0.2.1",
        "ipv6" => "2001:db8::1",
        "time" => "07:08:09Z",
        "duration" => "P1D",
        "byte" => "c3RyaW5n",
        "regex" => "^a$",
        "json-pointer" => "/a",
        "date-time" => "2024-05-06T07:08:09Z",
        "date" => "2024-05-06",
        "uuid" => "3fa85f64-5717-4562-b3fc-2c963f66afa6",
        _ => return None,
    })
}

/// A pattern compiled once per run: large documents repeat a few patterns
/// (a name, an id) in thousands of places, and compiling is the costly
/// part.
fn compiled(pattern: &str) -> Option<fancy_regex::Regex> {
    thread_local! {
        static COMPILED: std::cell::RefCell<std::collections::HashMap<String, Option<fancy_regex::Regex>>> =
            Default::default();
    }
    COMPILED.with(|cache| {
        cache
            .borrow_mut()
            .entry(pattern.to_owned())
            .or_insert_with(|| fancy_regex::Regex::new(pattern).ok())
            .clone()
    })
}

fn string(default: String, kw: &Map<String, Value>) -> Result<String, String> {
    let count = |key: &str| kw.get(key).and_then(Value::as_u64).map(|n| n as usize);
    let (min, max) = (count("minLength"), count("maxLength"));
    let base = kw
        .get("format")
        .and_then(Value::as_str)
        .and_then(formatted)
        .map(str::to_owned);
    let fixed = base.is_some();
    let mut candidates: Vec<String> = base.into_iter().collect();
    candidates.push(default);
    if let Some(pattern) = kw.get("pattern").and_then(Value::as_str) {
        let re = compiled(pattern)
            .ok_or_else(|| format!("`pattern` {pattern:?} is not a regex this generator reads"))?;
        if !fixed {
            candidates.extend(pattern_example(pattern));
            candidates.extend(
                [
                    "abc", "a", "A", "ABC", "1", "123", "a1", "a-b", "a_b", "example", "x",
                ]
                .map(str::to_owned),
            );
        }
        let found = candidates
            .into_iter()
            .map(|c| sized(c, min, max))
            .find(|c| c.as_ref().is_some_and(|c| re.is_match(c).unwrap_or(false)));
        return found.flatten().ok_or_else(|| {
            format!("no simple string matches `pattern` {pattern:?} within the length limits")
        });
    }
    let first = candidates.remove(0);
    if fixed {
        // A formatted value cannot be padded.
        let len = first.chars().count();
        if min.is_some_and(|m| len < m) || max.is_some_and(|m| len > m) {
            return Err("the format's sample does not fit the length limits".into());
        }
        return Ok(first);
    }
    sized(first, min, max).ok_or_else(|| "no length fits `minLength`/`maxLength`".into())
}

/// A string that the pattern probably matches, read off its first
/// alternatives with the fewest repetitions (`^[UW][A-Z0-9]{8}$` →
/// `UAAAAAAAA`, `^tool-` → `tool-`); the caller checks it with the regex.
/// `None` for what this reading does not cover (lookaround, backreferences).
fn pattern_example(pattern: &str) -> Option<String> {
    let chars: Vec<char> = pattern.chars().collect();
    let mut pos = 0;
    let out = alternation(&chars, &mut pos, 0)?;
    (pos == chars.len()).then_some(out)
}

fn alternation(c: &[char], pos: &mut usize, depth: usize) -> Option<String> {
    let first = sequence(c, pos, depth)?;
    while c.get(*pos) == Some(&'|') {
        *pos += 1;
        sequence(c, pos, depth)?;
    }
    Some(first)
}

fn sequence(c: &[char], pos: &mut usize, depth: usize) -> Option<String> {
    let mut out = String::new();
    while let Some(&ch) = c.get(*pos) {
        if ch == '|' || ch == ')' {
            break;
        }
        let piece = atom(c, pos, depth)?;
        let times = quantifier(c, pos)?;
        out.push_str(&piece.repeat(times));
    }
    Some(out)
}

fn escaped(e: char) -> char {
    match e {
        'd' => '1',
        'w' | 'D' | 'S' => 'a',
        's' => ' ',
        'W' => '-',
        other => other,
    }
}

fn atom(c: &[char], pos: &mut usize, depth: usize) -> Option<String> {
    let ch = *c.get(*pos)?;
    *pos += 1;
    Some(match ch {
        '^' | '$' => String::new(),
        '.' => "a".to_owned(),
        '(' => {
            if depth > 16 {
                return None;
            }
            // Lookaround (`(?=`, `(?!`, `(?<=`, `(?<!`) adds no characters;
            // the regex check afterwards tells whether it holds.
            let lookaround = c.get(*pos) == Some(&'?')
                && matches!(
                    (c.get(*pos + 1), c.get(*pos + 2)),
                    (Some('=' | '!'), _) | (Some('<'), Some('=' | '!'))
                );
            if lookaround {
                *pos += if c[*pos + 1] == '<' { 3 } else { 2 };
            } else if c.get(*pos) == Some(&'?') {
                // Non-capturing groups; named and flag groups are not read.
                if c.get(*pos + 1) != Some(&':') {
                    return None;
                }
                *pos += 2;
            }
            let inner = alternation(c, pos, depth + 1)?;
            if c.get(*pos) != Some(&')') {
                return None;
            }
            *pos += 1;
            if lookaround { String::new() } else { inner }
        }
        '[' => class(c, pos)?.to_string(),
        '\\' => {
            let e = *c.get(*pos)?;
            *pos += 1;
            if e.is_ascii_digit() || e == 'b' || e == 'B' {
                return None; // backreferences and word boundaries
            }
            escaped(e).to_string()
        }
        other => other.to_string(),
    })
}

/// One character of a `[...]` class.
fn class(c: &[char], pos: &mut usize) -> Option<char> {
    let negated = c.get(*pos) == Some(&'^');
    if negated {
        *pos += 1;
    }
    let start = *pos;
    let mut ranges: Vec<(char, char)> = Vec::new();
    while let Some(&ch) = c.get(*pos) {
        if ch == ']' && *pos > start {
            break;
        }
        let low = if ch == '\\' {
            *pos += 1;
            escaped(*c.get(*pos)?)
        } else {
            ch
        };
        *pos += 1;
        if c.get(*pos) == Some(&'-') && c.get(*pos + 1).is_some_and(|n| *n != ']') {
            ranges.push((low, c[*pos + 1]));
            *pos += 2;
        } else {
            ranges.push((low, low));
        }
    }
    if c.get(*pos) != Some(&']') {
        return None;
    }
    *pos += 1;
    if negated {
        ['a', 'x', '1', 'A', '-', '_', '.']
            .into_iter()
            .find(|k| !ranges.iter().any(|(lo, hi)| lo <= k && k <= hi))
    } else {
        ranges.first().map(|(lo, _)| *lo)
    }
}

/// The fewest repetitions a quantifier allows (1 without one).
fn quantifier(c: &[char], pos: &mut usize) -> Option<usize> {
    let times = match c.get(*pos) {
        Some('*') | Some('?') => {
            *pos += 1;
            0
        }
        Some('+') => {
            *pos += 1;
            1
        }
        Some('{') => {
            let close = c[*pos..].iter().position(|ch| *ch == '}')? + *pos;
            let inside: String = c[*pos + 1..close].iter().collect();
            *pos = close + 1;
            inside.split(',').next()?.trim().parse().ok()?
        }
        _ => return Some(1),
    };
    // Lazy or possessive markers change nothing here.
    if matches!(c.get(*pos), Some('?') | Some('+')) {
        *pos += 1;
    }
    Some(times)
}

/// `s` padded or cut to fit the length limits (in characters).
fn sized(s: String, min: Option<usize>, max: Option<usize>) -> Option<String> {
    let (min, max) = (min.unwrap_or(0), max.unwrap_or(usize::MAX));
    if min > max {
        return None;
    }
    let mut chars: Vec<char> = s.chars().collect();
    chars.truncate(max);
    while chars.len() < min {
        chars.push('x');
    }
    Some(chars.into_iter().collect())
}

fn array(mut items: Vec<Value>, kw: &Map<String, Value>) -> Result<Vec<Value>, String> {
    let count = |key: &str| kw.get(key).and_then(Value::as_u64).map(|n| n as usize);
    let unique = kw.get("uniqueItems") == Some(&Value::Bool(true));
    if let Some(min) = count("minItems") {
        if items.len() < min {
            let Some(first) = items.first().cloned() else {
                return Err(format!("`minItems: {min}`, but no item can be made"));
            };
            if unique && min > 1 {
                return Err(format!("`minItems: {min}` with `uniqueItems`"));
            }
            items.resize(min, first);
        }
    }
    if let Some(max) = count("maxItems") {
        items.truncate(max);
    }
    Ok(items)
}

fn object(
    mut map: Map<String, Value>,
    kw: &Map<String, Value>,
) -> Result<Map<String, Value>, String> {
    let min = kw.get("minProperties").and_then(Value::as_u64).unwrap_or(0) as usize;
    let Some(first) = map.values().next().cloned() else {
        return if min == 0 {
            Ok(map)
        } else {
            Err(format!("`minProperties: {min}`, but no value can be made"))
        };
    };
    let mut n = 2;
    while map.len() < min {
        map.insert(format!("key{n}"), first.clone());
        n += 1;
    }
    Ok(map)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kw(v: Value) -> Map<String, Value> {
        v.as_object().unwrap().clone()
    }

    #[test]
    fn numbers_move_inside_their_bounds() {
        assert_eq!(fit(json!(7), &kw(json!({"enum": [2]}))).unwrap(), json!(2));
        assert_eq!(
            fit(json!(7), &kw(json!({"minimum": 10}))).unwrap(),
            json!(10)
        );
        assert_eq!(
            fit(
                json!(7),
                &kw(json!({"maximum": 5, "exclusiveMaximum": true}))
            )
            .unwrap(),
            json!(4)
        );
        assert_eq!(
            fit(json!(7), &kw(json!({"multipleOf": 5}))).unwrap(),
            json!(10)
        );
        assert_eq!(
            fit(json!(1.5), &kw(json!({"maximum": 1}))).unwrap(),
            json!(1.0)
        );
        assert!(
            fit(
                json!(7),
                &kw(json!({"minimum": 3, "maximum": 4, "multipleOf": 5}))
            )
            .is_err()
        );
    }

    #[test]
    fn strings_follow_format_length_and_pattern() {
        let s = |v: Value| fit(json!("string"), &kw(v));
        assert_eq!(
            s(json!({"format": "email"})).unwrap(),
            json!("user@example.com")
        );
        assert_eq!(s(json!({"minLength": 8})).unwrap(), json!("stringxx"));
        assert_eq!(s(json!({"maxLength": 3})).unwrap(), json!("str"));
        assert_eq!(s(json!({"pattern": "^[0-9]+$"})).unwrap(), json!("0"));
        assert_eq!(
            s(json!({"pattern": "^[0-9]{4}-Q[1-4]$"})).unwrap(),
            json!("0000-Q1")
        );
        assert_eq!(
            s(json!({"pattern": "^[UW][A-Z0-9]{8}$"})).unwrap(),
            json!("UAAAAAAAA")
        );
        assert_eq!(s(json!({"pattern": "^tool-"})).unwrap(), json!("tool-"));
        assert_eq!(
            s(json!({"pattern": "^([01]\\d|2[0-3]):?([0-5]\\d)$"})).unwrap(),
            json!("0101")
        );
        assert_eq!(s(json!({"pattern": "^(?!x)a+$"})).unwrap(), json!("a"));
        // A lookahead that rules out what the reading produces: skipped.
        assert!(s(json!({"pattern": "^(?!a)[a-b]$", "maxLength": 1})).is_err());
        assert!(s(json!({"pattern": "^a{5}$", "maxLength": 3})).is_err());
    }

    #[test]
    fn arrays_and_exclusions() {
        assert_eq!(
            fit(json!([1]), &kw(json!({"minItems": 3}))).unwrap(),
            json!([1, 1, 1])
        );
        assert!(fit(json!([1]), &kw(json!({"minItems": 2, "uniqueItems": true}))).is_err());
        assert!(fit(json!("x"), &kw(json!({"not": {"type": "string"}}))).is_err());
        assert_eq!(
            fit(json!("x"), &kw(json!({"x-oapi-null": true}))).unwrap(),
            Value::Null
        );
    }
}

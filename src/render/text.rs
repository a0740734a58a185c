//! Text from the data made safe to show: control characters (which a terminal obeys — an escape
//! sequence can recolour the screen or set the window title — and which make SVG invalid XML)
//! and bidirectional-override characters (which reverse the text after them: a way to spoof a
//! report) are replaced by visible stand-ins. The JSON and CSV keep the data as it is.

use std::borrow::Cow;

/// Whether `c` is replaced: C0 and C1 controls and DEL (but for the whitespace `keep` allows),
/// and the bidirectional marks, embeddings, overrides and isolates.
fn unsafe_char(c: char, keep: &[char]) -> bool {
    (c.is_control() && !keep.contains(&c))
        || matches!(c, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// The visible stand-in of an unsafe character: a control picture for C0 controls and DEL
/// (`␌` for form feed, `␛` for escape), `[U+202E]` for the others.
fn stand_in(c: char, out: &mut String) {
    match c as u32 {
        n @ 0..=0x1f => out.push(char::from_u32(0x2400 + n).unwrap_or('\u{FFFD}')),
        0x7f => out.push('\u{2421}'),
        n => out.push_str(&format!("[U+{n:04X}]")),
    }
}

fn replace<'a>(s: &'a str, keep: &[char]) -> Cow<'a, str> {
    if !s.chars().any(|c| unsafe_char(c, keep)) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if unsafe_char(c, keep) {
            stand_in(c, &mut out);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// A string from the data for a table cell or a line of terminal text: every control character
/// (line breaks and tabs too) and bidi control replaced (`a\u{c}b` → `a␌b`).
pub fn printable(s: &str) -> Cow<'_, str> {
    replace(s, &[])
}

/// A finished HTML or SVG document: controls other than line breaks and tabs, and bidi
/// controls, replaced. Our own markup holds none of them, so only text from the data changes.
pub fn markup_safe(doc: &str) -> Cow<'_, str> {
    replace(doc, &['\n', '\r', '\t'])
}

/// A finished table or Markdown report for a terminal: controls other than line breaks and
/// tabs replaced, but for colour sequences (`ESC [ digits ; m`), which only recolour text (the
/// renderers' own; a cell's were replaced already by [`printable`]).
pub fn terminal_safe(text: &str) -> Cow<'_, str> {
    let keep = ['\n', '\t'];
    if !text.chars().any(|c| unsafe_char(c, &keep)) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if c == '\u{1b}' {
            let rest = &text[i + 1..];
            let sgr = rest.strip_prefix('[').and_then(|r| {
                let n = r.find(|ch: char| !(ch.is_ascii_digit() || ch == ';'))?;
                (r.as_bytes()[n] == b'm').then_some(n + 2)
            });
            if let Some(len) = sgr {
                out.push(c);
                for _ in 0..len {
                    if let Some((_, ch)) = chars.next() {
                        out.push(ch);
                    }
                }
                continue;
            }
        }
        if unsafe_char(c, &keep) {
            stand_in(c, &mut out);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_and_bidi_become_visible() {
        assert_eq!(printable("plain"), "plain");
        assert_eq!(printable("a\u{c}b"), "a␌b");
        assert_eq!(printable("\u{1b}[31mRED"), "␛[31mRED");
        assert_eq!(printable("x\ny\tz"), "x␊y␉z");
        assert_eq!(printable("\u{202e}RTL"), "[U+202E]RTL");
        assert_eq!(printable("a\u{85}b\u{7f}"), "a[U+0085]b␡");
        assert_eq!(markup_safe("<t>a\nb\u{1}</t>"), "<t>a\nb␁</t>");
        // Colour kept, a title-setting sequence (OSC) made visible.
        assert_eq!(
            terminal_safe("\u{1b}[31;1mFAIL\u{1b}[0m \u{1b}]0;pwned\u{7}x\n"),
            "\u{1b}[31;1mFAIL\u{1b}[0m ␛]0;pwned␇x\n"
        );
    }
}

//! One pass over a CSV / TSV file's bytes before polars reads it: every record must have as
//! many fields as the header (polars fills short rows with nulls and, when it reads only some
//! columns, never sees extra fields), and the text must be UTF-8. Quotes follow RFC 4180: a
//! field that starts with `"` runs to the next lone `"` (`""` is a quote inside it) and may hold
//! separators and line breaks. Blank lines are skipped, as polars skips them.

use std::io::Read;

/// A record whose field count differs from the header's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ragged {
    /// 1-based line where the record starts.
    pub line: u64,
    pub fields: usize,
    /// Byte range of the record, line break included.
    pub start: u64,
    pub end: u64,
}

/// What the pass found.
#[derive(Debug, Default)]
pub struct Shape {
    pub header_fields: usize,
    /// Data records (blank lines not counted).
    pub records: u64,
    /// Records with the wrong number of fields, in file order (at most `keep` of them kept).
    pub ragged: Vec<Ragged>,
    pub ragged_count: u64,
    /// The first byte that is not UTF-8: (line, byte offset, the byte).
    pub bad_utf8: Option<(u64, u64, u8)>,
    /// A quoted field still open at the end of the file: the line where it opened.
    pub open_quote: Option<u64>,
    /// The first closing quote followed by more text (`"x"y`, or `"a\"b"`): its line.
    pub text_after_quote: Option<u64>,
    /// The first quote inside an unquoted value (`5'11"`, `12" pizza`): its line. RFC 4180
    /// allows none there, and polars' reader then splits the row wrongly.
    pub stray_quote: Option<u64>,
    /// Byte ranges of blank lines between records (polars would read them as empty rows).
    pub blank: Vec<(u64, u64)>,
    /// Line breaks seen: `\n`, and `\r` not followed by `\n` (old Mac files end lines in CR).
    pub lf: u64,
    pub lone_cr: u64,
}

impl Shape {
    /// One record ended: the header's width, or a data record checked against it.
    fn record(
        &mut self,
        header: &mut bool,
        fields: usize,
        line: u64,
        start: u64,
        end: u64,
        keep: usize,
    ) {
        if *header {
            self.header_fields = fields;
            *header = false;
            return;
        }
        self.records += 1;
        if fields != self.header_fields {
            self.ragged_count += 1;
            if self.ragged.len() < keep {
                self.ragged.push(Ragged {
                    line,
                    fields,
                    start,
                    end,
                });
            }
        }
    }
}

/// Scans `reader` (the whole file) with separator `sep`, keeping up to `keep` ragged records.
pub fn scan(mut reader: impl Read, sep: u8, keep: usize) -> std::io::Result<Shape> {
    let mut shape = Shape::default();
    let mut buf = vec![0u8; 1 << 20];
    // State carried across chunks.
    let mut in_quotes = false;
    let mut quote_pending = false; // a quote inside quotes: ends the field unless another follows
    let mut field_start = true;
    let mut fields = 1usize;
    let mut empty_line = true;
    let mut line: u64 = 1;
    let mut record_line: u64 = 1;
    let mut record_start: u64 = 0;
    let mut quote_line: u64 = 0;
    let mut offset: u64 = 0;
    let mut header = true;
    // UTF-8: an incomplete sequence at the end of a chunk is carried to the next.
    let mut carry: Vec<u8> = Vec::new();
    let mut first = true;
    let mut prev_cr = false;
    loop {
        let n = reader.read(&mut buf)?;
        if n == 0 {
            break;
        }
        let mut chunk = &buf[..n];
        if first {
            first = false;
            if chunk.starts_with(&[0xEF, 0xBB, 0xBF]) {
                chunk = &chunk[3..];
                offset = 3;
                record_start = 3;
            }
        }
        if shape.bad_utf8.is_none() {
            check_utf8(&mut carry, chunk, offset, line, &mut shape);
        }
        for (k, &b) in chunk.iter().enumerate() {
            let pos = offset + k as u64;
            if prev_cr && b != b'\n' {
                shape.lone_cr += 1;
            }
            prev_cr = false;
            if in_quotes {
                if quote_pending {
                    quote_pending = false;
                    if b == b'"' {
                        continue; // "" inside a quoted field
                    }
                    in_quotes = false;
                    if b != sep && b != b'\n' && b != b'\r' && shape.text_after_quote.is_none() {
                        shape.text_after_quote = Some(line);
                    }
                    // fall through: this byte follows the closing quote
                } else {
                    if b == b'"' {
                        quote_pending = true;
                    } else if b == b'\n' {
                        line += 1;
                    }
                    continue;
                }
            }
            if b == sep {
                fields += 1;
                field_start = true;
                empty_line = false;
            } else if b == b'\n' {
                shape.lf += 1;
                if !empty_line || fields > 1 {
                    shape.record(
                        &mut header,
                        fields,
                        record_line,
                        record_start,
                        pos + 1,
                        keep,
                    );
                } else if !header {
                    shape.blank.push((record_start, pos + 1));
                }
                line += 1;
                record_line = line;
                record_start = pos + 1;
                fields = 1;
                field_start = true;
                empty_line = true;
            } else if b == b'\r' {
                // part of the line break (a lone \r inside a field is data; it never counts)
                prev_cr = true;
                continue;
            } else {
                if b == b'"' {
                    if field_start {
                        in_quotes = true;
                        quote_line = line;
                    } else if shape.stray_quote.is_none() {
                        shape.stray_quote = Some(line);
                    }
                }
                field_start = false;
                empty_line = false;
            }
        }
        offset += chunk.len() as u64;
    }
    if prev_cr {
        shape.lone_cr += 1;
    }
    if in_quotes && !quote_pending {
        shape.open_quote = Some(quote_line);
    }
    // A last record without a final line break.
    if !empty_line || fields > 1 {
        shape.record(&mut header, fields, record_line, record_start, offset, keep);
    }
    if shape.bad_utf8.is_none() && !carry.is_empty() {
        shape.bad_utf8 = Some((line, offset - carry.len() as u64, carry[0]));
    }
    Ok(shape)
}

fn check_utf8(carry: &mut Vec<u8>, chunk: &[u8], offset: u64, line: u64, shape: &mut Shape) {
    let joined;
    let (bytes, base) = if carry.is_empty() {
        (chunk, offset)
    } else {
        // Rare: a character split by the chunk boundary; its first bytes were carried.
        let mut j = std::mem::take(carry);
        let base = offset - j.len() as u64;
        j.extend_from_slice(chunk);
        joined = j;
        (&joined[..], base)
    };
    if let Err(e) = std::str::from_utf8(bytes) {
        let at = e.valid_up_to();
        match e.error_len() {
            None => carry.extend_from_slice(&bytes[at..]),
            Some(_) => {
                let lines = bytes[..at].iter().filter(|&&b| b == b'\n').count() as u64;
                shape.bad_utf8 = Some((line + lines, base + at as u64, bytes[at]));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(text: &[u8]) -> Shape {
        scan(text, b',', 10).unwrap()
    }

    #[test]
    fn counts_fields_with_quotes() {
        let s = run(b"a,b,c\n1,\"x,y\",3\n4,\"multi\nline\",6\n7,\"q\"\"q\",9\n");
        assert_eq!(s.header_fields, 3);
        assert_eq!(s.records, 3);
        assert!(s.ragged.is_empty());
        assert!(s.bad_utf8.is_none());
    }

    #[test]
    fn finds_ragged_lines_and_their_numbers() {
        let s = run(b"a,b,c\n1,2,3\n4,5,6,7\n\n8,9\r\n10,11,12");
        assert_eq!(s.records, 4);
        assert_eq!(s.ragged_count, 2);
        assert_eq!(s.ragged[0].line, 3);
        assert_eq!(s.ragged[0].fields, 4);
        assert_eq!(s.ragged[1].line, 5);
        assert_eq!(s.ragged[1].fields, 2);
        // A multi-line quoted field moves the line numbers of later records.
        let s = run(b"a,b\n\"x\ny\",1\n2\n");
        assert_eq!(s.ragged[0].line, 4);
    }

    #[test]
    fn bom_and_utf8() {
        let s = run(b"\xEF\xBB\xBFa,b\n1,2\n");
        assert_eq!(s.header_fields, 2);
        assert!(s.bad_utf8.is_none());
        let s = run(b"a,b\n1,2\ncaf\xE9,3\n");
        assert_eq!(s.bad_utf8, Some((3, 11, 0xE9)));
        let s = run("a,b\n1,é\n".as_bytes());
        assert!(s.bad_utf8.is_none());
    }

    #[test]
    fn blank_lines_text_after_quotes_and_line_ends() {
        let s = run(b"a,b\n1,2\n\n3,4\n\r\n");
        assert_eq!(s.records, 2);
        assert_eq!(s.blank, vec![(8, 9), (13, 15)]);
        assert!(s.ragged.is_empty());
        let s = run(b"a,b\n1,\"x\"y\n");
        assert_eq!(s.text_after_quote, Some(2));
        let s = run(b"a,b\n1,\"a\\\"b\"\n");
        assert_eq!(s.text_after_quote, Some(2));
        let s = run(b"a,b\r1,2\r3,4\r");
        assert_eq!((s.lf, s.lone_cr), (0, 3));
        let s = run(b"a,b\r\n1,2\r\n");
        assert_eq!((s.lf, s.lone_cr), (2, 0));
        let s = run(b"a,b\n1,5'11\"\n");
        assert_eq!(s.stray_quote, Some(2));
    }

    #[test]
    fn open_quote_at_end() {
        let s = run(b"a,b\n1,\"never closed\n2,3\n");
        assert_eq!(s.open_quote, Some(2));
    }

    #[test]
    fn utf8_sequence_split_across_chunks() {
        // A 2-byte character straddling the 1 MiB chunk boundary is valid.
        let mut text = b"a\n".to_vec();
        text.resize((1 << 20) - 1, b'x');
        text.extend_from_slice("é\n".as_bytes());
        let s = run(&text);
        assert!(s.bad_utf8.is_none(), "{:?}", s.bad_utf8);
        let mut bad = b"a\n".to_vec();
        bad.resize((1 << 20) - 1, b'x');
        bad.extend_from_slice(b"\xC3(\n");
        assert!(run(&bad).bad_utf8.is_some());
    }
}

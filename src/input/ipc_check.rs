//! A check of an Arrow IPC file's record batches before polars decodes them. polars' IPC reader
//! trusts the lengths a damaged file declares: a compressed buffer's "decompressed length"
//! prefix is allocated as it stands (5.7e17 bytes aborts the process; 20 GB fills memory), and
//! a buffer may point past its batch. Here every buffer must lie inside its batch's body and
//! inside the file, and a compressed buffer may not claim more than half the machine's memory.

use std::io::{Read, Seek, SeekFrom};

use fmt::planus::ReadAsRoot;
use polars_arrow::io::ipc::format::ipc as fmt;
use polars_arrow::io::ipc::read::read_file_metadata;

/// What is wrong with the file, in a user's words (`None`: nothing found).
pub fn damage<R: Read + Seek>(reader: &mut R) -> Option<String> {
    let size = reader.seek(SeekFrom::End(0)).ok()?;
    reader.seek(SeekFrom::Start(0)).ok()?;
    let meta = match read_file_metadata(reader) {
        Ok(m) => m,
        // polars reports a footer it cannot read itself, in its own words (mapped later).
        Err(_) => return None,
    };
    let limit = memory_limit();
    let mut scratch = Vec::new();
    let blocks = meta.blocks.iter().chain(meta.dictionaries.iter().flatten());
    for (k, block) in blocks.enumerate() {
        let (offset, meta_len, body_len) = (
            block.offset,
            i64::from(block.meta_data_length),
            block.body_length,
        );
        if offset < 0 || meta_len < 0 || body_len < 0 {
            return Some(format!("record batch {} has negative offsets", k + 1));
        }
        let body_start = offset as u64 + meta_len as u64;
        if body_start.saturating_add(body_len as u64) > size {
            return Some(format!(
                "record batch {} runs past the end of the file",
                k + 1
            ));
        }
        let Some(message) = read_message(reader, offset as u64, meta_len as u64, &mut scratch)
        else {
            return Some(format!("record batch {} has an unreadable header", k + 1));
        };
        let batch = match message.header() {
            Ok(Some(fmt::MessageHeaderRef::RecordBatch(b))) => b,
            Ok(Some(fmt::MessageHeaderRef::DictionaryBatch(d))) => match d.data() {
                Ok(Some(b)) => b,
                _ => return Some(format!("dictionary batch {} is unreadable", k + 1)),
            },
            _ => continue,
        };
        let compressed = matches!(batch.compression(), Ok(Some(_)));
        let Ok(Some(buffers)) = batch.buffers() else {
            continue;
        };
        let buffers: Vec<(i64, i64)> = buffers.iter().map(|b| (b.offset(), b.length())).collect();
        for (b_off, b_len) in buffers {
            if b_off < 0 || b_len < 0 || b_off.saturating_add(b_len) > body_len {
                return Some(format!(
                    "record batch {} has a buffer outside its data",
                    k + 1
                ));
            }
            if compressed && b_len >= 8 {
                let mut prefix = [0u8; 8];
                if reader
                    .seek(SeekFrom::Start(body_start + b_off as u64))
                    .and_then(|_| reader.read_exact(&mut prefix))
                    .is_err()
                {
                    return Some(format!("record batch {} is cut short", k + 1));
                }
                let claimed = i64::from_le_bytes(prefix);
                if claimed != -1 && (claimed < 0 || claimed as u64 > limit) {
                    return Some(if claimed < 0 {
                        format!("record batch {} has an invalid buffer length", k + 1)
                    } else {
                        format!(
                            "record batch {} claims a buffer of {claimed} bytes once decompressed",
                            k + 1
                        )
                    });
                }
            }
        }
    }
    let _ = reader.seek(SeekFrom::Start(0));
    None
}

/// The flatbuffer message of a block (at most `max` bytes, the block's metadata length).
fn read_message<'a, R: Read + Seek>(
    reader: &mut R,
    offset: u64,
    max: u64,
    scratch: &'a mut Vec<u8>,
) -> Option<fmt::MessageRef<'a>> {
    reader.seek(SeekFrom::Start(offset)).ok()?;
    let mut word = [0u8; 4];
    reader.read_exact(&mut word).ok()?;
    if word == [0xFF; 4] {
        reader.read_exact(&mut word).ok()?;
    }
    let len = u64::try_from(i32::from_le_bytes(word)).ok()?;
    if len > max {
        return None;
    }
    scratch.clear();
    reader.by_ref().take(len).read_to_end(scratch).ok()?;
    fmt::MessageRef::read_as_root(scratch).ok()
}

/// Half the machine's memory (from /proc/meminfo; 8 GiB where it cannot be read).
fn memory_limit() -> u64 {
    let total_kib = std::fs::read_to_string("/proc/meminfo").ok().and_then(|m| {
        m.lines()
            .find(|l| l.starts_with("MemTotal:"))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse::<u64>().ok())
    });
    total_kib.map_or(8 << 30, |k| k * 1024 / 2)
}

//! Where a raster's bytes come from: a local file or an HTTP server answering range requests
//! ([`super::http_bytes`]). Readers see one [`ByteSource`]; the TIFF decoder reads it through a
//! [`SourceReader`] (`Read + Seek`). Every source counts the bytes it read, so a test or a
//! benchmark can say how much of a file a view cost.

use std::collections::HashMap;
use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

/// Random access to a raster's bytes, shared by the threads that decode its tiles.
pub trait ByteSource: Send + Sync {
    /// Length in bytes.
    fn len(&self) -> u64;
    /// True for an empty source.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// Fills `buf` from `offset`; an error when the source ends first.
    fn read_at(&self, offset: u64, buf: &mut [u8]) -> io::Result<()>;
    /// Says these ranges will be read soon, so a remote source can fetch them in few requests.
    fn prefetch(&self, ranges: &[Range<u64>]) -> io::Result<()> {
        let _ = ranges;
        Ok(())
    }
    /// Bytes read from the file or the network so far (a cache hit costs nothing).
    fn bytes_read(&self) -> u64;
    /// Requests made so far (one per read for a file).
    fn requests(&self) -> u64;
    /// The file's path or the URL, as messages name it.
    fn name(&self) -> PathBuf;
}

/// A local file, read with positioned reads (no shared cursor between threads).
pub struct FileBytes {
    file: File,
    len: u64,
    path: PathBuf,
    bytes_read: AtomicU64,
    requests: AtomicU64,
    /// Small reads (headers and tile indexes, which every decoder of the file reads again).
    small: Mutex<SmallReads>,
}

/// Small reads by (offset, length).
type SmallReads = HashMap<(u64, usize), Arc<Vec<u8>>>;

/// Small reads kept per file.
const SMALL_READS_KEPT: usize = 256;

impl FileBytes {
    /// Opens `path`.
    pub fn open(path: &Path) -> io::Result<Self> {
        let file = File::open(path)?;
        let len = file.metadata()?.len();
        Ok(Self {
            file,
            len,
            path: path.to_owned(),
            bytes_read: AtomicU64::new(0),
            requests: AtomicU64::new(0),
            small: Mutex::new(HashMap::new()),
        })
    }
}

impl ByteSource for FileBytes {
    fn len(&self) -> u64 {
        self.len
    }

    fn read_at(&self, offset: u64, buf: &mut [u8]) -> io::Result<()> {
        let key = (offset, buf.len());
        let small = buf.len() <= READ_AHEAD;
        if small
            && let Some(hit) = self
                .small
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .get(&key)
        {
            buf.copy_from_slice(hit);
            return Ok(());
        }
        self.requests.fetch_add(1, Ordering::Relaxed);
        read_exact_at(&self.file, offset, buf)?;
        self.bytes_read
            .fetch_add(buf.len() as u64, Ordering::Relaxed);
        if small {
            let mut kept = self.small.lock().unwrap_or_else(PoisonError::into_inner);
            if kept.len() >= SMALL_READS_KEPT {
                kept.clear();
            }
            kept.insert(key, Arc::new(buf.to_vec()));
        }
        Ok(())
    }

    fn bytes_read(&self) -> u64 {
        self.bytes_read.load(Ordering::Relaxed)
    }

    fn requests(&self) -> u64 {
        self.requests.load(Ordering::Relaxed)
    }

    fn name(&self) -> PathBuf {
        self.path.clone()
    }
}

#[cfg(unix)]
fn read_exact_at(file: &File, offset: u64, buf: &mut [u8]) -> io::Result<()> {
    std::os::unix::fs::FileExt::read_exact_at(file, buf, offset)
}

#[cfg(windows)]
fn read_exact_at(file: &File, mut offset: u64, mut buf: &mut [u8]) -> io::Result<()> {
    while !buf.is_empty() {
        let n = std::os::windows::fs::FileExt::seek_read(file, buf, offset)?;
        if n == 0 {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
        offset += n as u64;
        buf = &mut buf[n..];
    }
    Ok(())
}

/// Bytes already in memory (a whole file from a server without range support, or a test).
pub struct MemoryBytes {
    data: Vec<u8>,
    name: PathBuf,
    bytes_read: AtomicU64,
}

impl MemoryBytes {
    /// `data`, named `name` in messages.
    #[must_use]
    pub fn new(data: Vec<u8>, name: impl Into<PathBuf>) -> Self {
        Self {
            bytes_read: AtomicU64::new(data.len() as u64),
            data,
            name: name.into(),
        }
    }
}

impl ByteSource for MemoryBytes {
    fn len(&self) -> u64 {
        self.data.len() as u64
    }

    fn read_at(&self, offset: u64, buf: &mut [u8]) -> io::Result<()> {
        let start = usize::try_from(offset).map_err(|_| io::ErrorKind::UnexpectedEof)?;
        let src = self
            .data
            .get(start..start.saturating_add(buf.len()))
            .ok_or(io::ErrorKind::UnexpectedEof)?;
        buf.copy_from_slice(src);
        Ok(())
    }

    fn bytes_read(&self) -> u64 {
        self.bytes_read.load(Ordering::Relaxed)
    }

    fn requests(&self) -> u64 {
        1
    }

    fn name(&self) -> PathBuf {
        self.name.clone()
    }
}

/// A cursor over a [`ByteSource`]: what the TIFF decoder reads from. Small reads are served
/// from a buffer of the bytes around them.
pub struct SourceReader {
    source: Arc<dyn ByteSource>,
    pos: u64,
    buf: Vec<u8>,
    buf_start: u64,
}

/// Bytes fetched around a small read.
const READ_AHEAD: usize = 16 << 10;

impl SourceReader {
    /// A cursor at the start of `source`.
    #[must_use]
    pub fn new(source: Arc<dyn ByteSource>) -> Self {
        Self {
            source,
            pos: 0,
            buf: Vec::new(),
            buf_start: 0,
        }
    }
}

impl Read for SourceReader {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let len = self.source.len();
        if self.pos >= len || out.is_empty() {
            return Ok(0);
        }
        let buf_end = self.buf_start + self.buf.len() as u64;
        if self.pos >= self.buf_start && self.pos < buf_end {
            let from = (self.pos - self.buf_start) as usize;
            let n = out.len().min(self.buf.len() - from);
            out[..n].copy_from_slice(&self.buf[from..from + n]);
            self.pos += n as u64;
            return Ok(n);
        }
        let left = len - self.pos;
        if out.len() >= READ_AHEAD {
            // Large reads (tiles) go straight through.
            let n = (out.len() as u64).min(left) as usize;
            self.source.read_at(self.pos, &mut out[..n])?;
            self.pos += n as u64;
            return Ok(n);
        }
        let n = (READ_AHEAD as u64).min(left) as usize;
        self.buf.resize(n, 0);
        self.source.read_at(self.pos, &mut self.buf)?;
        self.buf_start = self.pos;
        let m = out.len().min(n);
        out[..m].copy_from_slice(&self.buf[..m]);
        self.pos += m as u64;
        Ok(m)
    }
}

impl Seek for SourceReader {
    fn seek(&mut self, to: SeekFrom) -> io::Result<u64> {
        let len = self.source.len();
        let pos = match to {
            SeekFrom::Start(p) => Some(p),
            SeekFrom::End(d) => len.checked_add_signed(d),
            SeekFrom::Current(d) => self.pos.checked_add_signed(d),
        }
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "seek before the start"))?;
        self.pos = pos;
        Ok(pos)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reader_returns_the_bytes_at_each_seek_and_counts_what_it_read() {
        let data: Vec<u8> = (0..100_000u32).map(|i| (i % 251) as u8).collect();
        let source: Arc<dyn ByteSource> = Arc::new(MemoryBytes::new(data.clone(), "mem"));
        let mut reader = SourceReader::new(source);
        let mut out = [0u8; 10];
        reader.seek(SeekFrom::Start(70_000)).unwrap();
        reader.read_exact(&mut out).unwrap();
        assert_eq!(out[..], data[70_000..70_010]);
        reader.seek(SeekFrom::Current(-5)).unwrap();
        reader.read_exact(&mut out).unwrap();
        assert_eq!(out[..], data[70_005..70_015]);
        let mut big = vec![0u8; 40_000];
        reader.seek(SeekFrom::Start(1)).unwrap();
        reader.read_exact(&mut big).unwrap();
        assert_eq!(big[..], data[1..40_001]);
        reader.seek(SeekFrom::End(-3)).unwrap();
        let mut rest = Vec::new();
        reader.read_to_end(&mut rest).unwrap();
        assert_eq!(rest[..], data[99_997..]);
    }

    #[test]
    fn a_file_source_reads_at_offsets_and_counts_bytes() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f.bin");
        std::fs::write(&path, b"0123456789").unwrap();
        let file = FileBytes::open(&path).unwrap();
        let mut buf = [0u8; 4];
        file.read_at(3, &mut buf).unwrap();
        assert_eq!(&buf, b"3456");
        assert_eq!(file.bytes_read(), 4);
        assert!(file.read_at(8, &mut buf).is_err(), "past the end");
    }
}

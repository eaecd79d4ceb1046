//! Writing a chart archive (`<name>-<version>.tgz`) reproducibly.
//!
//! Layout, as `helm package` writes it (Helm's `pkg/chart/v2/util/save.go`):
//! one regular-file entry per chart file under a top folder named after the
//! chart, `<name>/Chart.yaml` first, no directory entries. Helm then writes
//! its own fixed order (Chart.lock, values.yaml, schema, templates, files);
//! we write the remaining files sorted by path (byte order), which readers,
//! Helm's included, do not care about.
//!
//! Every byte is a function of (chart name, file paths and contents, mtime):
//!
//! - **tar format: ustar** (POSIX.1-1988), like Go's `archive/tar` picks for
//!   Helm's headers. Every header: type `0` (regular file), mode `0644`
//!   (Helm's value), uid/gid 0, empty user and group names, device numbers
//!   zero, the given mtime. A path too long for ustar's name/prefix fields
//!   gets a PAX extended header (`x`) carrying `path`, as Go does; its own
//!   header is normalised the same way. No GNU extensions.
//! - **gzip: one member**, header mtime 0, no file name, no comment or extra
//!   field (Helm adds a comment "Helm" and an extra field; readers ignore
//!   both), OS byte 255 ("unknown", Go's value), compression level 6 (Go's
//!   and so Helm's default; level 9 was 0.4% smaller and a third slower).
//!   flate2 and its miniz_oxide backend are pinned in Cargo.toml because a
//!   different deflate implementation or version may emit different bytes.
//! - **mtime**: see [`DEFAULT_MTIME`] and [`mtime_from_source_date_epoch`].
//!
//! The writer refuses what the reader ([`crate::chart::archive`]) and Helm
//! would refuse, so it never produces an archive that cannot be loaded.

use std::collections::BTreeSet;
use std::io::Write;

use flate2::{Compression, GzBuilder};
use tar::{EntryType, Header};

use crate::chart::archive::{MAX_ENTRIES, MAX_FILE_SIZE, MAX_TOTAL_SIZE};

/// The mtime used when `SOURCE_DATE_EPOCH` is not set: 1980-01-01T00:00:00Z
/// (315532800), the conventional fixed date of reproducible-build tooling
/// (zip's epoch, Debian's strip-nondeterminism, Bazel, Nix use it or close
/// to it). Not 0: a 1970 date looks like a bug to people and some tools
/// treat 0 as "no time"; a fixed date keeps archives identical across
/// machines and rebuilds, which a wall-clock time would not.
pub const DEFAULT_MTIME: u64 = 315_532_800;

/// Largest mtime a ustar header can hold (11 octal digits; year 2242).
pub const MAX_MTIME: u64 = 0o777_7777_7777;

/// The ustar mode of every file: `rw-r--r--`, what Helm writes.
const FILE_MODE: u32 = 0o644;

/// gzip OS byte: 255 = unknown (what Go's gzip writer writes).
const GZIP_OS_UNKNOWN: u8 = 255;

/// Fixed deflate level; changing it changes every archive's bytes.
const COMPRESSION_LEVEL: u32 = 6;

/// Why an archive could not be written.
#[derive(Debug, thiserror::Error)]
pub enum WriteArchiveError {
    #[error(
        "chart name `{name}` cannot be an archive's top folder ({reason}); use a name of letters, digits, `-`, `_` and `.`"
    )]
    BadChartName { name: String, reason: &'static str },
    #[error(
        "chart file path `{path}` cannot go in an archive ({reason}); paths are relative to the chart root and use `/`"
    )]
    BadPath { path: String, reason: &'static str },
    #[error("chart file `{path}` is listed twice; each path may appear once")]
    DuplicatePath { path: String },
    #[error("`{path}` is both a file and a folder in the chart; rename one of them")]
    FileDirConflict { path: String },
    #[error("the chart has no Chart.yaml at its root; every chart archive needs one")]
    MissingChartYaml,
    #[error(
        "chart file `{path}` is {size} bytes, over the {limit}-byte limit per file that Helm and Skiff enforce when reading; move large data out of the chart or add it to .helmignore"
    )]
    FileTooLarge { path: String, size: u64, limit: u64 },
    #[error(
        "the chart's files add up to {size} bytes, reaching the {limit}-byte limit that Helm and Skiff enforce when reading; make the chart smaller or extend .helmignore"
    )]
    TotalTooLarge { size: u64, limit: u64 },
    #[error(
        "the chart has {count} files, over the {limit}-entry limit enforced when reading; extend .helmignore"
    )]
    TooManyFiles { count: usize, limit: usize },
    #[error(
        "archive mtime {mtime} is after the largest date a tar header can hold ({max}); set SOURCE_DATE_EPOCH to a smaller value"
    )]
    MtimeTooLarge { mtime: u64, max: u64 },
    #[error(
        "SOURCE_DATE_EPOCH=`{value}` is not a whole number of seconds since 1970-01-01 UTC; set it to e.g. `$(git log -1 --format=%ct)` or unset it"
    )]
    BadSourceDateEpoch { value: String },
    #[error("cannot build the chart archive in memory: {0}")]
    Io(#[from] std::io::Error),
}

/// The archive mtime from the value of `SOURCE_DATE_EPOCH` (pass
/// `std::env::var("SOURCE_DATE_EPOCH").ok()`): that value if set and not
/// empty, else [`DEFAULT_MTIME`]. See <https://reproducible-builds.org/specs/source-date-epoch/>.
pub fn mtime_from_source_date_epoch(value: Option<&str>) -> Result<u64, WriteArchiveError> {
    match value.map(str::trim) {
        None | Some("") => Ok(DEFAULT_MTIME),
        Some(text) => {
            let mtime = text
                .parse::<u64>()
                .map_err(|_| WriteArchiveError::BadSourceDateEpoch {
                    value: text.to_owned(),
                })?;
            if mtime > MAX_MTIME {
                return Err(WriteArchiveError::MtimeTooLarge {
                    mtime,
                    max: MAX_MTIME,
                });
            }
            Ok(mtime)
        }
    }
}

/// `SOURCE_DATE_EPOCH` from the environment, checked as
/// [`mtime_from_source_date_epoch`] checks it; None when unset or empty.
pub fn source_date_epoch() -> Result<Option<u64>, WriteArchiveError> {
    match std::env::var("SOURCE_DATE_EPOCH") {
        Ok(v) if !v.trim().is_empty() => mtime_from_source_date_epoch(Some(&v)).map(Some),
        _ => Ok(None),
    }
}

/// Writes `files` (paths relative to the chart root, `/`-separated) as a
/// gzip'd tar under `<chart_name>/`, byte-for-byte reproducible: the order of
/// `files` does not matter, only the paths, contents and `mtime` do.
pub fn write_chart_archive<'a>(
    chart_name: &str,
    files: impl IntoIterator<Item = (&'a str, &'a [u8])>,
    mtime: u64,
) -> Result<Vec<u8>, WriteArchiveError> {
    check_chart_name(chart_name)?;
    if mtime > MAX_MTIME {
        return Err(WriteArchiveError::MtimeTooLarge {
            mtime,
            max: MAX_MTIME,
        });
    }
    let ordered = ordered_files(files)?;

    let gz = GzBuilder::new()
        .mtime(0)
        .operating_system(GZIP_OS_UNKNOWN)
        .write(Vec::new(), Compression::new(COMPRESSION_LEVEL));
    // tar writes each entry's header, data and padding separately, and
    // flate2 zero-fills its 32 KiB output buffer on every write: buffer the
    // small writes into large ones (the deflate stream does not depend on
    // how its input is cut; the golden digest in tests/archive.rs checks).
    let mut tar = tar::Builder::new(std::io::BufWriter::with_capacity(1 << 16, gz));
    for (path, data) in ordered {
        let full_path = format!("{chart_name}/{path}");
        append_file(&mut tar, &full_path, data, mtime)?;
    }
    let gz = tar.into_inner()?.into_inner().map_err(|e| e.into_error())?;
    Ok(gz.finish()?)
}

/// Validates the files and returns them in archive order: `Chart.yaml`
/// first, then the rest sorted by path.
fn ordered_files<'a>(
    files: impl IntoIterator<Item = (&'a str, &'a [u8])>,
) -> Result<Vec<(&'a str, &'a [u8])>, WriteArchiveError> {
    let mut ordered: Vec<(&str, &[u8])> = files.into_iter().collect();
    if ordered.len() > MAX_ENTRIES {
        return Err(WriteArchiveError::TooManyFiles {
            count: ordered.len(),
            limit: MAX_ENTRIES,
        });
    }
    let mut total: u64 = 0;
    for (path, data) in &ordered {
        check_path(path)?;
        let size = data.len() as u64;
        if size > MAX_FILE_SIZE {
            return Err(WriteArchiveError::FileTooLarge {
                path: (*path).to_owned(),
                size,
                limit: MAX_FILE_SIZE,
            });
        }
        total += size;
    }
    if total >= MAX_TOTAL_SIZE {
        return Err(WriteArchiveError::TotalTooLarge {
            size: total,
            limit: MAX_TOTAL_SIZE,
        });
    }
    ordered.sort_by(|a, b| {
        (a.0 != "Chart.yaml", a.0.as_bytes()).cmp(&(b.0 != "Chart.yaml", b.0.as_bytes()))
    });
    let paths: BTreeSet<&str> = ordered.iter().map(|(p, _)| *p).collect();
    if paths.len() != ordered.len() {
        let dup = ordered
            .windows(2)
            .find(|w| w[0].0 == w[1].0)
            .map_or_else(String::new, |w| w[0].0.to_owned());
        return Err(WriteArchiveError::DuplicatePath { path: dup });
    }
    for path in &paths {
        if path
            .match_indices('/')
            .any(|(i, _)| paths.contains(&path[..i]))
        {
            return Err(WriteArchiveError::FileDirConflict {
                path: (*path).to_owned(),
            });
        }
    }
    if !paths.contains("Chart.yaml") {
        return Err(WriteArchiveError::MissingChartYaml);
    }
    Ok(ordered)
}

fn append_file<W: Write>(
    tar: &mut tar::Builder<W>,
    full_path: &str,
    data: &[u8],
    mtime: u64,
) -> Result<(), WriteArchiveError> {
    let mut header = normalised_header(EntryType::Regular, data.len() as u64, mtime);
    if header.set_path(full_path).is_err() {
        // Too long for ustar's 100-byte name + 155-byte prefix: carry the
        // path in a PAX extended header and put a truncated name in ustar.
        let record = pax_record("path", full_path);
        let mut pax = normalised_header(EntryType::XHeader, record.len() as u64, mtime);
        set_raw_name(&mut pax, &pax_header_name(full_path));
        pax.set_cksum();
        tar.append(&pax, record.as_slice())?;
        set_raw_name(&mut header, full_path);
    }
    header.set_cksum();
    tar.append(&header, data)?;
    Ok(())
}

fn normalised_header(kind: EntryType, size: u64, mtime: u64) -> Header {
    let mut header = Header::new_ustar();
    header.set_entry_type(kind);
    header.set_size(size);
    header.set_mode(FILE_MODE);
    header.set_uid(0);
    header.set_gid(0);
    header.set_mtime(mtime);
    header
}

/// Writes up to 100 bytes of `name` into the ustar name field, unchecked
/// (only used where a PAX `path` record overrides it), cut on a character
/// boundary.
fn set_raw_name(header: &mut Header, name: &str) {
    let field = &mut header.as_old_mut().name;
    let mut end = name.len().min(field.len());
    while !name.is_char_boundary(end) {
        end -= 1;
    }
    field.fill(0);
    field[..end].copy_from_slice(&name.as_bytes()[..end]);
}

/// Go's name for a PAX header entry: `<dir>/PaxHeaders.0/<base>`.
fn pax_header_name(full_path: &str) -> String {
    match full_path.rsplit_once('/') {
        Some((dir, base)) => format!("{dir}/PaxHeaders.0/{base}"),
        None => format!("PaxHeaders.0/{full_path}"),
    }
}

/// One PAX record, `"<len> <key>=<value>\n"`, where `<len>` counts the
/// whole record including its own digits.
fn pax_record(key: &str, value: &str) -> Vec<u8> {
    let rest = key.len() + value.len() + 3; // ' ', '=', '\n'
    let mut len = rest + 1;
    while len != rest + len.to_string().len() {
        len = rest + len.to_string().len();
    }
    format!("{len} {key}={value}\n").into_bytes()
}

fn check_chart_name(name: &str) -> Result<(), WriteArchiveError> {
    let reason = if name.is_empty() {
        Some("it is empty")
    } else if name == "." || name == ".." {
        Some("it is `.` or `..`")
    } else if name.contains(['/', '\\']) {
        Some("it contains a path separator")
    } else if name.chars().any(char::is_control) {
        Some("it contains a control character")
    } else {
        None
    };
    match reason {
        Some(reason) => Err(WriteArchiveError::BadChartName {
            name: name.to_owned(),
            reason,
        }),
        None => Ok(()),
    }
}

fn check_path(path: &str) -> Result<(), WriteArchiveError> {
    let bad = |reason| {
        Err(WriteArchiveError::BadPath {
            path: path.to_owned(),
            reason,
        })
    };
    if path.is_empty() {
        return bad("it is empty");
    }
    if path.starts_with('/') {
        return bad("it is absolute");
    }
    if path.contains('\\') {
        return bad("it contains `\\`");
    }
    if path.contains('\0') {
        return bad("it contains NUL");
    }
    for part in path.split('/') {
        match part {
            "" => return bad("it has an empty component (`//` or a trailing `/`)"),
            "." | ".." => return bad("it has a `.` or `..` component"),
            _ => {}
        }
    }
    if path.split('/').next().is_some_and(|p| {
        let b = p.as_bytes();
        b.len() == 2 && b[0].is_ascii_alphabetic() && b[1] == b':'
    }) {
        return bad("it starts with a Windows drive letter");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pax_record_length_counts_itself() {
        assert_eq!(pax_record("path", "a"), b"9 path=a\n");
        assert_eq!(pax_record("path", &"y".repeat(5)), b"14 path=yyyyy\n");
        let long = "x".repeat(90);
        let rec = pax_record("path", &long);
        let text = String::from_utf8(rec.clone()).unwrap_or_default();
        let declared: usize = text.split(' ').next().unwrap_or("0").parse().unwrap_or(0);
        assert_eq!(declared, rec.len());
    }

    #[test]
    fn source_date_epoch_parsing() {
        assert_eq!(mtime_from_source_date_epoch(None).ok(), Some(DEFAULT_MTIME));
        assert_eq!(
            mtime_from_source_date_epoch(Some("")).ok(),
            Some(DEFAULT_MTIME)
        );
        assert_eq!(
            mtime_from_source_date_epoch(Some("1700000000")).ok(),
            Some(1_700_000_000)
        );
        assert!(matches!(
            mtime_from_source_date_epoch(Some("yesterday")),
            Err(WriteArchiveError::BadSourceDateEpoch { .. })
        ));
        assert!(matches!(
            mtime_from_source_date_epoch(Some("-1")),
            Err(WriteArchiveError::BadSourceDateEpoch { .. })
        ));
        assert!(matches!(
            mtime_from_source_date_epoch(Some("99999999999999")),
            Err(WriteArchiveError::MtimeTooLarge { .. })
        ));
    }

    fn files<'a>(list: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a [u8])> {
        list.iter().map(|(p, d)| (*p, d.as_bytes())).collect()
    }

    #[test]
    fn refuses_bad_inputs() {
        let ok = files(&[("Chart.yaml", "name: a\n")]);
        for name in ["", ".", "..", "a/b", "a\\b"] {
            assert!(
                matches!(
                    write_chart_archive(name, ok.clone(), DEFAULT_MTIME),
                    Err(WriteArchiveError::BadChartName { .. })
                ),
                "{name:?}"
            );
        }
        for path in ["", "/abs", "a/../b", "./a", "a//b", "a/", "a\\b", "C:/x"] {
            let f = files(&[("Chart.yaml", ""), (path, "")]);
            assert!(
                matches!(
                    write_chart_archive("a", f, DEFAULT_MTIME),
                    Err(WriteArchiveError::BadPath { .. })
                ),
                "{path:?}"
            );
        }
        let dup = files(&[("Chart.yaml", ""), ("x", "1"), ("x", "2")]);
        assert!(matches!(
            write_chart_archive("a", dup, DEFAULT_MTIME),
            Err(WriteArchiveError::DuplicatePath { path }) if path == "x"
        ));
        let conflict = files(&[("Chart.yaml", ""), ("x", "1"), ("x/y", "2")]);
        assert!(matches!(
            write_chart_archive("a", conflict, DEFAULT_MTIME),
            Err(WriteArchiveError::FileDirConflict { .. })
        ));
        assert!(matches!(
            write_chart_archive("a", files(&[("values.yaml", "")]), DEFAULT_MTIME),
            Err(WriteArchiveError::MissingChartYaml)
        ));
        assert!(matches!(
            write_chart_archive("a", ok, MAX_MTIME + 1),
            Err(WriteArchiveError::MtimeTooLarge { .. })
        ));
        let big = vec![b'x'; usize::try_from(MAX_FILE_SIZE).unwrap_or(0) + 1];
        assert!(matches!(
            write_chart_archive("a", [("Chart.yaml", big.as_slice())], DEFAULT_MTIME),
            Err(WriteArchiveError::FileTooLarge { .. })
        ));
    }

    #[test]
    fn gzip_header_is_fixed() {
        let bytes = write_chart_archive("a", files(&[("Chart.yaml", "x")]), 1).unwrap_or_default();
        // magic, deflate, no flags, mtime 0, XFL 0 (neither the fastest nor
        // the best level; Go writes the same for its default), OS 255
        assert_eq!(&bytes[..10], &[0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 255]);
    }
}

//! Chart archives through the library API: the reproducible writer, the
//! defensive reader (one crafted archive per refusal), and atomic writes.

mod common;

use std::io::{Read, Write};
use std::path::Path;

use skiff::chart::archive::{
    ArchiveChart, ArchiveError, ArchiveLimits, MAX_FILE_SIZE, read_chart_archive,
    read_chart_archive_with_limits,
};
use skiff::package::archive::{DEFAULT_MTIME, write_chart_archive};
use skiff::package::atomic::{AtomicWriteError, write_atomically, write_atomically_with};
use skiff::package::digest::sha256_hex;

use common::dir_entries;

type TestResult = Result<(), Box<dyn std::error::Error>>;

fn chart_files() -> Vec<(String, Vec<u8>)> {
    [
        ("values.yaml", "replicas: 1\n"),
        ("templates/api.yaml", "kind: Deployment\n"),
        (
            "Chart.yaml",
            "apiVersion: v2\nname: mychart\nversion: 1.0.0\n",
        ),
        (".helmignore", "*.bak\n"),
        ("templates/_helpers.tpl", "{% macro x() %}{% endmacro %}\n"),
        ("README.md", "# mychart\n"),
    ]
    .iter()
    .map(|(p, d)| ((*p).to_owned(), d.as_bytes().to_vec()))
    .collect()
}

/// The files as `write_chart_archive` takes them.
fn entries(files: &[(String, Vec<u8>)]) -> impl Iterator<Item = (&str, &[u8])> {
    files.iter().map(|(p, d)| (p.as_str(), d.as_slice()))
}

fn sorted(mut files: Vec<(String, Vec<u8>)>) -> Vec<(String, Vec<u8>)> {
    files.sort();
    files
}

fn source() -> &'static Path {
    Path::new("charts/mychart-1.0.0.tgz")
}

// ---------------------------------------------------------------- writer --

#[test]
fn writer_is_independent_of_input_order() -> TestResult {
    let files = chart_files();
    let mut reversed = files.clone();
    reversed.reverse();
    let mut rotated = files.clone();
    rotated.rotate_left(2);
    let a = write_chart_archive("mychart", entries(&files), DEFAULT_MTIME)?;
    assert_eq!(
        a,
        write_chart_archive("mychart", entries(&reversed), DEFAULT_MTIME)?
    );
    assert_eq!(
        a,
        write_chart_archive("mychart", entries(&rotated), DEFAULT_MTIME)?
    );
    Ok(())
}

#[test]
fn writer_bytes_depend_only_on_the_mtime_argument() -> TestResult {
    let files = chart_files();
    let a = write_chart_archive("mychart", entries(&files), 1_700_000_000)?;
    assert_eq!(
        a,
        write_chart_archive("mychart", entries(&files), 1_700_000_000)?
    );
    assert_ne!(
        a,
        write_chart_archive("mychart", entries(&files), DEFAULT_MTIME)?
    );
    Ok(())
}

/// Fails when a dependency bump (flate2, miniz_oxide, tar) or a writer
/// change alters the archive bytes. If the change is deliberate, update the
/// digest and say so in the commit: every published chart digest changes.
#[test]
fn writer_golden_digest() -> TestResult {
    let bytes = write_chart_archive("mychart", entries(&chart_files()), DEFAULT_MTIME)?;
    assert_eq!(sha256_hex(&bytes), GOLDEN_SHA256);
    Ok(())
}

const GOLDEN_SHA256: &str = "1afaf5ed56df1ca9213d6c319e057cc6d700914cb168ceefa5daf38292d8a00e";

#[test]
fn writer_layout_and_normalised_headers() -> TestResult {
    let bytes = write_chart_archive("mychart", entries(&chart_files()), 1_234_567_890)?;
    let mut tar = tar::Archive::new(flate2::read::GzDecoder::new(bytes.as_slice()));
    let mut names = Vec::new();
    for entry in tar.entries()? {
        let entry = entry?;
        let h = entry.header();
        names.push(String::from_utf8(entry.path_bytes().into_owned())?);
        assert!(h.as_ustar().is_some(), "ustar format");
        assert_eq!(h.entry_type(), tar::EntryType::Regular);
        assert_eq!(h.mode()?, 0o644);
        assert_eq!((h.uid()?, h.gid()?), (0, 0));
        assert_eq!(h.username_bytes(), Some(&b""[..]));
        assert_eq!(h.groupname_bytes(), Some(&b""[..]));
        assert_eq!(h.mtime()?, 1_234_567_890);
    }
    assert_eq!(
        names,
        [
            "mychart/Chart.yaml",
            "mychart/.helmignore",
            "mychart/README.md",
            "mychart/templates/_helpers.tpl",
            "mychart/templates/api.yaml",
            "mychart/values.yaml",
        ]
    );
    Ok(())
}

#[test]
fn round_trip_writer_to_reader() -> TestResult {
    let files = chart_files();
    let bytes = write_chart_archive("mychart", entries(&files), DEFAULT_MTIME)?;
    let chart = read_chart_archive(&bytes, source())?;
    assert_eq!(
        chart,
        ArchiveChart {
            root: "mychart".into(),
            files: sorted(files),
            chart_yaml_mtime: Some(DEFAULT_MTIME),
        }
    );
    Ok(())
}

#[test]
fn round_trip_long_and_unicode_paths() -> TestResult {
    let deep = format!(
        "charts/{}/templates/{}.yaml",
        "sub".repeat(60),
        "x".repeat(120)
    );
    let mut files = chart_files();
    files.push((deep.clone(), b"deep".to_vec()));
    files.push(("templates/ünïcödé.yaml".into(), b"u".to_vec()));
    let bytes = write_chart_archive("mychart", entries(&files), DEFAULT_MTIME)?;
    let chart = read_chart_archive(&bytes, source())?;
    assert_eq!(chart.files, sorted(files));
    assert!(chart.files.iter().any(|(p, _)| *p == deep));
    Ok(())
}

#[test]
fn round_trip_empty_and_binary_files() -> TestResult {
    let mut files = chart_files();
    files.push(("files/empty".into(), Vec::new()));
    files.push((
        "files/blob.bin".into(),
        (0..=255u8).cycle().take(70_000).collect(),
    ));
    let bytes = write_chart_archive("mychart", entries(&files), DEFAULT_MTIME)?;
    assert_eq!(read_chart_archive(&bytes, source())?.files, sorted(files));
    Ok(())
}

#[test]
fn a_byte_order_mark_is_dropped_from_archive_files() -> TestResult {
    let bytes = RawTar::default()
        .file("mychart/Chart.yaml", b"\xEF\xBB\xBFname: mychart\n")
        .file("mychart/files/bom-inside", b"a\xEF\xBB\xBF")
        .tgz();
    let files = read_chart_archive(&bytes, source())?.files;
    assert_eq!(
        files,
        vec![
            ("Chart.yaml".to_string(), b"name: mychart\n".to_vec()),
            // Only a leading mark goes.
            ("files/bom-inside".to_string(), b"a\xEF\xBB\xBF".to_vec()),
        ]
    );
    Ok(())
}

// ------------------------------------------------ crafted archives (raw) --

/// A tar built byte by byte, so tests can write what a well-behaved tar
/// library would refuse to (`..`, absolute paths, links, lying sizes).
#[derive(Default)]
struct RawTar {
    bytes: Vec<u8>,
}

impl RawTar {
    fn file(self, name: &str, data: &[u8]) -> Self {
        self.entry(name.as_bytes(), b'0', data.len() as u64, data, "")
    }

    fn dir(self, name: &str) -> Self {
        self.entry(name.as_bytes(), b'5', 0, b"", "")
    }

    fn link(self, name: &str, kind: u8, target: &str) -> Self {
        self.entry(name.as_bytes(), kind, 0, b"", target)
    }

    /// One header with a declared `size`, followed by `data` padded to a
    /// block (data may be shorter than `size` to craft a lie).
    fn entry(mut self, name: &[u8], kind: u8, size: u64, data: &[u8], link: &str) -> Self {
        self.bytes
            .extend_from_slice(&header(name, kind, size, link));
        self.bytes.extend_from_slice(data);
        self.pad();
        self
    }

    fn pad(&mut self) {
        let rem = self.bytes.len() % 512;
        if rem != 0 {
            self.bytes.resize(self.bytes.len() + 512 - rem, 0);
        }
    }

    fn tar(mut self) -> Vec<u8> {
        self.bytes.resize(self.bytes.len() + 1024, 0);
        self.bytes
    }

    fn tgz(self) -> Vec<u8> {
        gzip(&self.tar())
    }
}

fn header(name: &[u8], kind: u8, size: u64, link: &str) -> [u8; 512] {
    fn octal(field: &mut [u8], value: u64) {
        let text = format!("{value:0width$o}\0", width = field.len() - 1);
        field.copy_from_slice(text.as_bytes());
    }
    let mut h = [0u8; 512];
    h[..name.len()].copy_from_slice(name);
    octal(&mut h[100..108], 0o644);
    octal(&mut h[108..116], 0);
    octal(&mut h[116..124], 0);
    octal(&mut h[124..136], size);
    octal(&mut h[136..148], DEFAULT_MTIME);
    h[156] = kind;
    h[157..157 + link.len()].copy_from_slice(link.as_bytes());
    h[257..263].copy_from_slice(b"ustar\0");
    h[263..265].copy_from_slice(b"00");
    h[148..156].fill(b' ');
    let sum: u32 = h.iter().map(|&b| u32::from(b)).sum();
    h[148..156].copy_from_slice(format!("{sum:06o}\0 ").as_bytes());
    h
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(data).unwrap_or_default();
    gz.finish().unwrap_or_default()
}

fn minimal() -> RawTar {
    RawTar::default().file("mychart/Chart.yaml", b"name: mychart\n")
}

/// Reads `bytes` and returns the refusal, failing the test on success.
fn refusal(bytes: &[u8]) -> ArchiveError {
    refusal_with(bytes, ArchiveLimits::default())
}

fn refusal_with(bytes: &[u8], limits: ArchiveLimits) -> ArchiveError {
    match read_chart_archive_with_limits(bytes, source(), limits) {
        Ok(chart) => panic!("archive was accepted: {chart:?}"),
        Err(e) => {
            let message = e.to_string();
            assert!(
                message.starts_with("charts/mychart-1.0.0.tgz: "),
                "message names the archive: {message}"
            );
            e
        }
    }
}

fn assert_mentions(err: &ArchiveError, needle: &str) {
    let message = err.to_string();
    assert!(message.contains(needle), "{needle:?} not in: {message}");
}

#[test]
fn refuses_data_that_is_not_gzip() {
    let plain_tar = minimal().tar();
    assert!(matches!(refusal(&plain_tar), ArchiveError::NotGzip { .. }));
    let yaml = b"replicas: 3\n";
    let err = refusal(yaml);
    assert!(matches!(err, ArchiveError::NotGzip { .. }));
    assert_mentions(&err, "not a gzip");
    assert!(matches!(refusal(b""), ArchiveError::NotGzip { .. }));
}

#[test]
fn refuses_truncated_archive() {
    let bytes = minimal().file("mychart/values.yaml", &[b'v'; 4000]).tgz();
    for cut in [12, bytes.len() / 2, bytes.len() - 4] {
        let err = refusal(&bytes[..cut]);
        assert!(
            matches!(err, ArchiveError::Corrupt { .. }),
            "cut at {cut}: {err}"
        );
        assert_mentions(&err, "truncated or corrupt");
    }
}

#[test]
fn refuses_corrupt_data_and_bad_checksum() {
    let bytes = minimal().file("mychart/values.yaml", b"a: 1\n").tgz();
    // Flip a bit of the CRC32 in the gzip trailer.
    let mut bad_crc = bytes.clone();
    let at = bad_crc.len() - 8;
    bad_crc[at] ^= 1;
    assert!(matches!(refusal(&bad_crc), ArchiveError::Corrupt { .. }));
    // A bad tar header checksum.
    let mut tar = minimal().tar();
    tar[148] = b'7';
    assert!(matches!(refusal(&gzip(&tar)), ArchiveError::Corrupt { .. }));
    // Garbage after the gzip member.
    let mut trailing = bytes;
    trailing.extend_from_slice(b"garbage!");
    assert!(matches!(refusal(&trailing), ArchiveError::Corrupt { .. }));
}

#[test]
fn refuses_file_outside_the_top_folder() {
    let err = refusal(&minimal().file("Chart.yaml", b"x").tgz());
    assert!(matches!(&err, ArchiveError::OutsideRoot { entry, .. } if entry == "Chart.yaml"));
    assert_mentions(&err, "`Chart.yaml`");
    // Also when it comes first (Helm: "chart yaml not in base directory").
    let err = refusal(&RawTar::default().file("Chart.yaml", b"x").tgz());
    assert!(matches!(err, ArchiveError::OutsideRoot { .. }));
}

#[test]
fn refuses_parent_dir_components() {
    for name in [
        "mychart/../../etc/cron.d/x",
        "../mychart/Chart.yaml",
        "mychart/templates/..",
    ] {
        let err = refusal(&minimal().file(name, b"x").tgz());
        assert!(
            matches!(err, ArchiveError::ParentDir { .. }),
            "{name}: {err}"
        );
        assert_mentions(&err, name);
    }
}

#[test]
fn refuses_absolute_paths() {
    for name in ["/etc/passwd", "C:/Windows/x", "mychart/C:/x", "c:\\evil"] {
        let err = refusal(&minimal().file(name, b"x").tgz());
        assert!(
            matches!(err, ArchiveError::AbsolutePath { .. }),
            "{name}: {err}"
        );
    }
}

#[test]
fn refuses_symlinks_and_hard_links() {
    let err = refusal(
        &minimal()
            .link("mychart/values.yaml", b'2', "/etc/passwd")
            .tgz(),
    );
    assert!(matches!(&err, ArchiveError::Symlink { entry, target, .. }
            if entry == "mychart/values.yaml" && target == "/etc/passwd"));
    assert_mentions(&err, "symbolic link");
    let err = refusal(
        &minimal()
            .link("mychart/x", b'1', "mychart/Chart.yaml")
            .tgz(),
    );
    assert!(matches!(err, ArchiveError::HardLink { .. }));
    assert_mentions(&err, "hard link");
}

#[test]
fn refuses_devices_and_fifos() {
    for (kind, word) in [
        (b'3', "character device"),
        (b'4', "block device"),
        (b'6', "FIFO"),
    ] {
        let err = refusal(&minimal().link("mychart/dev", kind, "").tgz());
        assert!(matches!(err, ArchiveError::SpecialFile { .. }), "{err}");
        assert_mentions(&err, word);
        assert_mentions(&err, "mychart/dev");
    }
}

#[test]
fn refuses_duplicate_entries() {
    let bytes = minimal()
        .file("mychart/values.yaml", b"a: 1\n")
        .file("mychart/values.yaml", b"a: 2\n")
        .tgz();
    let err = refusal(&bytes);
    assert!(
        matches!(&err, ArchiveError::Duplicate { entry, .. } if entry == "mychart/values.yaml")
    );
    // Spelled differently, same file.
    let bytes = minimal().file("mychart//Chart.yaml", b"again").tgz();
    assert!(matches!(refusal(&bytes), ArchiveError::Duplicate { .. }));
}

#[test]
fn refuses_a_path_that_is_both_file_and_folder() {
    let bytes = minimal()
        .file("mychart/templates", b"file")
        .file("mychart/templates/a.yaml", b"a")
        .tgz();
    assert!(matches!(
        refusal(&bytes),
        ArchiveError::FileDirConflict { .. }
    ));
    let bytes = minimal().dir("mychart/x/").file("mychart/x", b"file").tgz();
    assert!(matches!(
        refusal(&bytes),
        ArchiveError::FileDirConflict { .. }
    ));
}

#[test]
fn refuses_more_than_one_top_folder() {
    let bytes = minimal().file("other/Chart.yaml", b"name: other\n").tgz();
    let err = refusal(&bytes);
    assert!(
        matches!(&err, ArchiveError::MultipleRoots { root, found, .. }
            if root == "mychart" && found == "other")
    );
    assert_mentions(&err, "other/Chart.yaml");
}

#[test]
fn refuses_bad_names() {
    let bytes = minimal()
        .entry(b"mychart/\xff.yaml", b'0', 1, b"x", "")
        .tgz();
    assert!(matches!(refusal(&bytes), ArchiveError::BadName { .. }));
    let bytes = minimal().file("mychart/a\\b/c.yaml", b"x").tgz();
    assert!(matches!(refusal(&bytes), ArchiveError::BadName { .. }));
    let bytes = RawTar::default().file("./mychart/Chart.yaml", b"x").tgz();
    assert!(matches!(refusal(&bytes), ArchiveError::BadName { .. }));
}

#[test]
fn refuses_archive_without_files() {
    let bytes = RawTar::default()
        .dir("mychart/")
        .dir("mychart/templates/")
        .tgz();
    assert!(matches!(refusal(&bytes), ArchiveError::Empty { .. }));
    assert!(matches!(
        refusal(&RawTar::default().tgz()),
        ArchiveError::Empty { .. }
    ));
}

#[test]
fn refuses_file_over_the_size_limit_before_reading_it() {
    // The header declares 5 MiB + 1 but no data follows: the refusal must
    // come from the declared size, before any body is read.
    let bytes = minimal()
        .entry(b"mychart/big.bin", b'0', MAX_FILE_SIZE + 1, b"", "")
        .tgz();
    let err = refusal(&bytes);
    assert!(
        matches!(&err, ArchiveError::FileTooLarge { size, limit, .. }
            if *size == MAX_FILE_SIZE + 1 && *limit == MAX_FILE_SIZE)
    );
    assert_mentions(&err, "mychart/big.bin");
}

#[test]
fn accepts_file_of_exactly_the_size_limit() -> TestResult {
    let limits = ArchiveLimits {
        max_file_size: 1000,
        ..ArchiveLimits::default()
    };
    let bytes = minimal().file("mychart/f", &[1; 1000]).tgz();
    assert_eq!(
        read_chart_archive_with_limits(&bytes, source(), limits)?
            .files
            .len(),
        2
    );
    Ok(())
}

#[test]
fn refuses_total_over_the_limit() {
    let limits = ArchiveLimits {
        max_file_size: 1000,
        max_total_size: 2500,
        ..ArchiveLimits::default()
    };
    let bytes = minimal()
        .file("mychart/a", &[0; 1000])
        .file("mychart/b", &[0; 1000])
        .file("mychart/c", &[0; 1000])
        .tgz();
    let err = refusal_with(&bytes, limits);
    assert!(matches!(&err, ArchiveError::TotalTooLarge { entry, .. } if entry == "mychart/c"));
}

#[test]
fn refuses_too_many_entries() {
    let limits = ArchiveLimits {
        max_entries: 50,
        ..ArchiveLimits::default()
    };
    let mut tar = minimal();
    for i in 0..60 {
        tar = tar.file(&format!("mychart/f{i}"), b"");
    }
    let err = refusal_with(&tar.tgz(), limits);
    assert!(matches!(
        err,
        ArchiveError::TooManyEntries { limit: 50, .. }
    ));
}

/// A directory entry (skipped, never stored) carrying 140 MiB of zeros: the
/// gzip is under 1 MiB. The decompressed-stream cap must stop it.
#[test]
fn stops_a_decompression_bomb_at_the_stream_cap() -> TestResult {
    let size: u64 = 140 * 1024 * 1024;
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(&header(b"mychart/Chart.yaml", b'0', 1, ""))?;
    gz.write_all(&[b'x'; 512])?;
    gz.write_all(&header(b"mychart/bomb/", b'5', size, ""))?;
    let zeros = vec![0u8; 1 << 20];
    for _ in 0..size >> 20 {
        gz.write_all(&zeros)?;
    }
    gz.write_all(&[0; 1024])?;
    let bytes = gz.finish()?;
    assert!(bytes.len() < 1 << 20);
    let err = refusal(&bytes);
    assert!(matches!(err, ArchiveError::StreamTooLarge { .. }), "{err}");
    assert_mentions(&err, "decompression bomb");
    Ok(())
}

/// A PAX header declaring a huge record: the tar parser reads such records
/// whole, so only the stream cap bounds it.
#[test]
fn stops_a_huge_pax_header_at_the_stream_cap() {
    let limits = ArchiveLimits {
        max_stream_size: 64 * 1024,
        ..ArchiveLimits::default()
    };
    let record = vec![b'9'; 200 * 1024];
    let bytes = minimal()
        .entry(
            b"mychart/PaxHeaders.0/x",
            b'x',
            record.len() as u64,
            &record,
            "",
        )
        .file("mychart/x", b"x")
        .tgz();
    assert!(matches!(
        refusal_with(&bytes, limits),
        ArchiveError::StreamTooLarge { .. }
    ));
}

// ------------------------------------------------------------- tolerated --

#[test]
fn tolerates_pax_global_header_and_directory_entries() -> TestResult {
    // What `git archive` produces: a global header named pax_global_header.
    let comment = b"52 comment=0123456789012345678901234567890123456789\n";
    let bytes = RawTar::default()
        .entry(
            b"pax_global_header",
            b'g',
            comment.len() as u64,
            comment,
            "",
        )
        .dir("mychart/")
        .file("mychart/Chart.yaml", b"name: mychart\n")
        .dir("mychart/templates/")
        .file("mychart/templates/a.yaml", b"a")
        .tgz();
    let chart = read_chart_archive(&bytes, source())?;
    assert_eq!(chart.root, "mychart");
    let paths: Vec<&str> = chart.files.iter().map(|(p, _)| p.as_str()).collect();
    assert_eq!(paths, ["Chart.yaml", "templates/a.yaml"]);
    Ok(())
}

#[test]
fn tolerates_windows_separators_like_helm() -> TestResult {
    let bytes = RawTar::default()
        .file("mychart\\Chart.yaml", b"name: mychart\n")
        .file("mychart\\templates\\a.yaml", b"a")
        .tgz();
    let chart = read_chart_archive(&bytes, source())?;
    let paths: Vec<&str> = chart.files.iter().map(|(p, _)| p.as_str()).collect();
    assert_eq!(paths, ["Chart.yaml", "templates/a.yaml"]);
    Ok(())
}

#[test]
fn tolerates_concatenated_gzip_members() -> TestResult {
    let tar = minimal().file("mychart/values.yaml", b"a: 1\n").tar();
    let (head, tail) = tar.split_at(700);
    let mut bytes = gzip(head);
    bytes.extend_from_slice(&gzip(tail));
    assert_eq!(read_chart_archive(&bytes, source())?.files.len(), 2);
    Ok(())
}

#[test]
fn reads_files_in_any_order_and_sorts_them() -> TestResult {
    let bytes = RawTar::default()
        .file("mychart/z.yaml", b"z")
        .file("mychart/Chart.yaml", b"c")
        .file("mychart/a.yaml", b"a")
        .tgz();
    let chart = read_chart_archive(&bytes, source())?;
    let paths: Vec<&str> = chart.files.iter().map(|(p, _)| p.as_str()).collect();
    assert_eq!(paths, ["Chart.yaml", "a.yaml", "z.yaml"]);
    Ok(())
}

#[test]
fn never_panics_on_mangled_archives() -> TestResult {
    let bytes = write_chart_archive("mychart", entries(&chart_files()), DEFAULT_MTIME)?;
    let mut tar = Vec::new();
    flate2::read::GzDecoder::new(bytes.as_slice()).read_to_end(&mut tar)?;
    // Overwrite each header byte of the first entry with a few values.
    for at in 0..512 {
        for value in [0u8, b'/', b'.', 0xff, b'7'] {
            let mut mangled = tar.clone();
            mangled[at] = value;
            let _ = read_chart_archive(&gzip(&mangled), source());
        }
    }
    Ok(())
}

// ----------------------------------------------------------- atomic write --

#[test]
fn atomic_write_failure_keeps_old_file_and_leaves_no_temp() -> TestResult {
    let dir = tempfile::tempdir()?;
    let target = dir.path().join("mychart-1.0.0.tgz");
    write_atomically(&target, b"old archive")?;
    let err = write_atomically_with(&target, |file| {
        file.write_all(b"partial new arch")?;
        Err(std::io::Error::other("injected failure"))
    })
    .err()
    .ok_or("failure not reported")?;
    assert!(matches!(err, AtomicWriteError::Write { .. }));
    assert_eq!(std::fs::read(&target)?, b"old archive");
    assert_eq!(dir_entries(dir.path()), ["mychart-1.0.0.tgz"]);
    Ok(())
}

#[test]
fn atomic_write_over_a_folder_fails_cleanly() -> TestResult {
    // Works even as root, unlike a read-only folder.
    let dir = tempfile::tempdir()?;
    let target = dir.path().join("out");
    std::fs::create_dir(&target)?;
    std::fs::write(target.join("keep"), b"k")?;
    let err = write_atomically(&target, b"new")
        .err()
        .ok_or("should fail")?;
    assert!(matches!(err, AtomicWriteError::Rename { .. }), "{err}");
    assert!(err.to_string().contains("out"));
    assert_eq!(dir_entries(dir.path()), ["out"]);
    assert_eq!(std::fs::read(target.join("keep"))?, b"k");
    Ok(())
}

#[test]
fn atomic_write_into_missing_folder_names_it() -> TestResult {
    let dir = tempfile::tempdir()?;
    let target = dir.path().join("missing/index.yaml");
    let err = write_atomically(&target, b"x").err().ok_or("should fail")?;
    assert!(matches!(err, AtomicWriteError::CreateTemp { .. }));
    assert!(err.to_string().contains("missing"), "{err}");
    assert_eq!(dir_entries(dir.path()), Vec::<String>::new());
    Ok(())
}

#[test]
fn atomic_write_then_read_back_archive() -> TestResult {
    let dir = tempfile::tempdir()?;
    let target = dir.path().join("mychart-1.0.0.tgz");
    let bytes = write_chart_archive("mychart", entries(&chart_files()), DEFAULT_MTIME)?;
    write_atomically(&target, &bytes)?;
    let on_disk = std::fs::read(&target)?;
    assert_eq!(sha256_hex(&on_disk), sha256_hex(&bytes));
    assert_eq!(read_chart_archive(&on_disk, &target)?.root, "mychart");
    Ok(())
}

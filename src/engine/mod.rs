//! The minijinja environment, the template context and the helper filters.
//!
//! The engine sees a chart only as bytes in memory: its loader resolves
//! template names against the chart's `templates/` files and nothing else,
//! so a template can never read the filesystem. Execution is bounded: fuel
//! caps the instructions one template may run, minijinja caps recursion, and
//! a capped writer stops output that would grow past [`Limits`].

mod context;
mod error;
mod files;
mod filters;
mod toyaml;

use std::collections::BTreeMap;
use std::io;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use minijinja::value::Value;
use minijinja::{AutoEscape, Environment, UndefinedBehavior};

pub use context::{Capabilities, DEFAULT_KUBE_VERSION, Release};
pub use error::RenderError;
pub use files::Files;

use crate::chart::Chart;
use crate::threads;

/// The name values.computed.yaml has inside the engine.
pub const COMPUTED_TEMPLATE: &str = "values.computed.yaml";

/// Bounds on one render, so a hostile or buggy chart fails fast instead of
/// exhausting time or memory. Documented in docs/templates.md.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// minijinja fuel (roughly instructions) per template.
    pub fuel: u64,
    /// Rendered bytes per template.
    pub template_bytes: usize,
    /// Rendered bytes per release (all templates together).
    pub release_bytes: usize,
    /// Nesting depth of includes, imports and macro calls.
    pub recursion: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            fuel: 20_000_000,
            template_bytes: 16 * 1024 * 1024,
            release_bytes: 64 * 1024 * 1024,
            recursion: 200,
        }
    }
}

/// A chart's templates ready to render.
pub struct Engine {
    env: Environment<'static>,
    /// The chart's path in `# Source:` lines and `template.name`: its name,
    /// or `<parent>/charts/<sub>` for a subchart.
    display: String,
    source: std::path::PathBuf,
    templates: Templates,
    libraries: Arc<Libraries>,
    limits: Limits,
    /// The context's `chart` and `files`: fixed per chart, built once.
    chart_value: Value,
    files: Value,
    /// Whether a template compiled to render on its own stays in the
    /// environment for the next render. See [`Engine::one_shot`].
    keep_compiled: bool,
}

/// The partials of a chart's library dependencies, by the name (alias or
/// chart name) a template path starts with.
type Libraries = BTreeMap<String, Library>;

struct Library {
    source: std::path::PathBuf,
    templates: Templates,
}

/// Where a template name leads: a library's file or the chart's own.
///
/// The rule (docs/dependencies.md): a name whose first segment is the name
/// or alias of a library dependency resolves into that library's
/// templates/; every other name is relative to the chart's own templates/.
/// A library therefore wins over a chart folder `templates/<library>/` of
/// the same name; that keeps a library's own imports (`common/_names.j2`
/// inside common) pointing at the library whatever chart imports it.
fn split_library<'a>(libraries: &'a Libraries, name: &'a str) -> Option<(&'a Library, &'a str)> {
    let (first, rest) = name.split_once('/')?;
    libraries.get(first).map(|lib| (lib, rest))
}

/// A chart's templates/, read where the chart holds them: the engine
/// shares the chart's files instead of copying 1.7 MB of templates for a
/// large chart. Built only for charts whose templates are all UTF-8.
#[derive(Clone)]
struct Templates {
    files: Arc<BTreeMap<String, Vec<u8>>>,
}

impl Templates {
    /// Refuses a template that is not UTF-8, naming it.
    fn of(chart: &Chart) -> Result<Templates, RenderError> {
        for (name, bytes) in chart.templates() {
            if std::str::from_utf8(bytes).is_err() {
                return Err(RenderError::NotUtf8 {
                    path: chart.display_path(&format!("templates/{name}")),
                });
            }
        }
        Ok(Templates {
            files: Arc::clone(&chart.files),
        })
    }

    /// A template's name (relative to templates/) and text.
    fn get(&self, name: &str) -> Option<(&str, &str)> {
        let (path, bytes) = self
            .files
            .get_key_value(format!("templates/{name}").as_str())?;
        // Checked in `of`; a file that is not text is simply not found.
        let text = std::str::from_utf8(bytes).ok()?;
        Some((&path["templates/".len()..], text))
    }

    fn text(&self, name: &str) -> Option<String> {
        self.get(name).map(|(_, text)| text.to_string())
    }

    /// Every template's name, in path order.
    fn names(&self) -> impl Iterator<Item = &str> {
        crate::chart::templates_in(&self.files).map(|(name, _)| name)
    }
}

/// The per-release part of the context: everything but `template`.
#[derive(Clone)]
pub struct Context {
    base: Value,
}

/// One rendered template file.
#[derive(Debug, Clone)]
pub struct RenderedFile {
    /// Path relative to the chart root, e.g. `templates/api.yaml`.
    pub path: String,
    /// The rendered text, unless the caller's `then` took it (see
    /// [`Engine::render_all_with`]).
    pub text: String,
    /// The rendered text's length in bytes, taken or not.
    pub size: usize,
}

impl Engine {
    /// Builds the environment for a chart. Template files must be UTF-8.
    pub fn new(chart: &Chart, limits: Limits) -> Result<Engine, RenderError> {
        Engine::for_subchart(chart, chart.name().to_string(), limits)
    }

    /// The environment for a chart shown as `display` (`parent/charts/sub`
    /// for a subchart) in `template.name` and `# Source:` lines.
    pub fn for_subchart(
        chart: &Chart,
        display: String,
        limits: Limits,
    ) -> Result<Engine, RenderError> {
        if chart.metadata.is_library() {
            return Err(RenderError::LibraryChart {
                path: chart.source.clone(),
            });
        }
        let templates = Templates::of(chart)?;
        let mut libraries = Libraries::new();
        for (name, lib) in crate::chart::dependencies::libraries(chart) {
            libraries.insert(
                name,
                Library {
                    source: lib.source.clone(),
                    templates: Templates::of(lib)?,
                },
            );
        }
        let libraries = Arc::new(libraries);
        let mut env = Environment::new();
        let loader_templates = templates.clone();
        let loader_libraries = Arc::clone(&libraries);
        env.set_loader(move |name| {
            Ok(match split_library(&loader_libraries, name) {
                Some((lib, rest)) => lib.templates.text(rest),
                None => loader_templates.text(name),
            })
        });
        env.set_auto_escape_callback(|_| AutoEscape::None);
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        env.set_syntax(syntax());
        env.set_fuel(Some(limits.fuel));
        env.set_recursion_limit(limits.recursion);
        env.set_debug(true);
        env.set_formatter(filters::format_value);
        filters::register(&mut env, limits.template_bytes);
        Ok(Engine {
            env,
            display,
            source: chart.source.clone(),
            templates,
            libraries,
            limits,
            chart_value: context::chart_value(&chart.metadata),
            files: Value::from_object(Files::new(chart)),
            keep_compiled: true,
        })
    }

    /// For an engine that renders once: each template rendered on its own
    /// is compiled, rendered and dropped instead of kept in the environment,
    /// so its memory serves the next template (fewer pages touched, a
    /// smaller peak) and no lock guards a cache. Partials (imports and
    /// includes) are still compiled once and kept. An engine that renders
    /// several value sets (`skiff lint`) keeps everything instead, so each
    /// template compiles once.
    pub fn one_shot(mut self) -> Engine {
        self.keep_compiled = false;
        self
    }

    /// The context shared by every template of one release (`chart` and
    /// `files` are those of the chart the engine was built for).
    pub fn context(
        &self,
        values: &serde_json::Map<String, serde_json::Value>,
        release: &Release,
        capabilities: &Capabilities,
    ) -> Context {
        Context {
            base: minijinja::context! {
                values => context::to_value(values),
                release => context::to_value(release),
                chart => self.chart_value.clone(),
                capabilities => capabilities.to_value(),
                files => self.files.clone(),
            },
        }
    }

    /// The templates that render on their own: not partials (`_*`), and
    /// not NOTES.txt, in path order.
    pub fn manifest_templates(&self) -> impl Iterator<Item = &str> {
        self.templates.names().filter(|name| {
            let base = name.rsplit('/').next().unwrap_or(name);
            !base.starts_with('_') && *name != "NOTES.txt"
        })
    }

    /// Whether a render of this chart's own templates stays on the calling
    /// thread: too few templates to share (16 per thread, `TEMPLATES_PER_THREAD`).
    pub fn renders_on_one_thread(&self) -> bool {
        threads::for_items(self.manifest_templates().count(), TEMPLATES_PER_THREAD) < 2
    }

    pub fn has_notes(&self) -> bool {
        self.templates.get("NOTES.txt").is_some()
    }

    /// Renders every manifest template, each with its own fuel and byte cap,
    /// and all of them together under the release byte cap, spread over the
    /// machine's cores, with `then` applied to each file's path and text on
    /// the thread that rendered it (the release parses the YAML there; a
    /// caller that needs only what it made of the text takes it, so it is
    /// freed at once). Files come back in path order,
    /// and errors are exactly those of rendering one file after another:
    /// the first failing file in path order, or the release byte cap at the
    /// file that crosses it. Templates after a failing one may render too,
    /// which is harmless: rendering has no side effects and each template
    /// is bounded by fuel and its byte cap.
    pub fn render_all_with<T: Send>(
        &self,
        ctx: &Context,
        then: impl Fn(&str, &mut String) -> T + Sync,
    ) -> Result<Vec<(RenderedFile, T)>, RenderError> {
        let names: Vec<&str> = self.manifest_templates().collect();
        let rendered = AtomicUsize::new(0);
        let render_one = |name: &str| -> Result<(RenderedFile, T), RenderError> {
            let mut text = self.render_template(name, ctx)?;
            let size = text.len();
            rendered.fetch_add(size, Ordering::Relaxed);
            let path = format!("templates/{name}");
            let extra = then(&path, &mut text);
            Ok((RenderedFile { path, text, size }, extra))
        };
        // Past the release cap the ordered walk below fails anyway.
        let slots = threads::run_indexed(
            names.len(),
            threads::for_items(names.len(), TEMPLATES_PER_THREAD),
            || rendered.load(Ordering::Relaxed) > self.limits.release_bytes,
            |i| render_one(names[i]),
        );
        let mut total = 0usize;
        let mut out = Vec::with_capacity(names.len());
        for (name, slot) in names.iter().zip(slots) {
            // A slot is empty when rendering on one thread, or when the
            // workers stopped at the release cap.
            let (file, extra) = slot.unwrap_or_else(|| render_one(name))?;
            total += file.size;
            if total > self.limits.release_bytes {
                return Err(RenderError::ReleaseTooLarge {
                    limit: self.limits.release_bytes,
                });
            }
            out.push((file, extra));
        }
        Ok(out)
    }

    /// Renders one template (a name relative to templates/).
    pub fn render_template(&self, name: &str, ctx: &Context) -> Result<String, RenderError> {
        let ctx = self.template_context(name, ctx);
        let source = self.templates.get(name);
        let template = match source {
            Some((name, source)) if !self.keep_compiled => {
                self.env.template_from_named_str(name, source)
            }
            _ => self.env.get_template(name),
        }
        .map_err(|e| self.error(e))?;
        let capacity = source.map_or(0, |(_, s)| s.len() * 2);
        self.capped(
            |w| template.render_captured_to(ctx, w).map(|_| ()),
            None,
            capacity,
        )
    }

    /// Renders a template that is not under templates/ (values.computed.yaml).
    pub fn render_named_str(
        &self,
        name: &str,
        source: &str,
        ctx: &Context,
    ) -> Result<String, RenderError> {
        let ctx = self.template_context(name, ctx);
        let template = self
            .env
            .template_from_named_str(name, source)
            .map_err(|e| self.error_with_source(e, Some((name, source))))?;
        self.capped(
            |w| template.render_captured_to(ctx, w).map(|_| ()),
            Some((name, source)),
            source.len() * 2,
        )
    }

    fn template_context(&self, name: &str, ctx: &Context) -> Value {
        let base_path = format!("{}/templates", self.display);
        minijinja::context! {
            template => minijinja::context! {
                name => format!("{base_path}/{name}"),
                base_path => base_path,
            },
            ..ctx.base.clone()
        }
    }

    /// Runs `render` into a writer capped at the template byte limit.
    /// `capacity` is a guess at the output's size (twice the template's
    /// is roomy for manifests), so the text rarely grows by copying.
    fn capped(
        &self,
        render: impl FnOnce(&mut CappedWriter) -> Result<(), minijinja::Error>,
        extra: Option<(&str, &str)>,
        capacity: usize,
    ) -> Result<String, RenderError> {
        let mut writer = CappedWriter {
            buf: Vec::with_capacity(capacity.min(self.limits.template_bytes)),
            limit: self.limits.template_bytes,
            exceeded: false,
        };
        let result = render(&mut writer);
        if writer.exceeded {
            return Err(RenderError::TemplateTooLarge {
                limit: self.limits.template_bytes,
            });
        }
        result.map_err(|e| self.error_with_source(e, extra))?;
        // The text is kept until the release is printed: give back what the
        // guess left over (mimalloc keeps a block at least half used in
        // place, and copies a smaller text into a smaller block).
        writer.buf.shrink_to_fit();
        String::from_utf8(writer.buf)
            .map_err(|_| RenderError::Internal("rendered output is not UTF-8".into()))
    }

    fn error(&self, err: minijinja::Error) -> RenderError {
        self.error_with_source(err, None)
    }

    /// `extra` is the (name, source) of a template that is not under templates/.
    fn error_with_source(&self, err: minijinja::Error, extra: Option<(&str, &str)>) -> RenderError {
        let source_of = |name: &str| match extra {
            Some((extra_name, text)) if extra_name == name => Some(text.to_string()),
            _ => match split_library(&self.libraries, name) {
                Some((lib, rest)) => lib.templates.text(rest),
                None => self.templates.text(name),
            },
        };
        let path_of = |name: &str| {
            if name == COMPUTED_TEMPLATE {
                self.source.join(name)
            } else if let Some((lib, rest)) = split_library(&self.libraries, name) {
                lib.source.join("templates").join(rest)
            } else {
                self.source.join("templates").join(name)
            }
        };
        error::from_minijinja(&err, &path_of, &source_of)
    }
}

/// Templates a thread must have to be worth starting: below this a small
/// chart renders faster on the calling thread than threads start.
const TEMPLATES_PER_THREAD: usize = 16;

/// Jinja's whitespace control as Ansible and most YAML-producing Jinja users
/// set it: a block tag's line disappears entirely (`trim_blocks` +
/// `lstrip_blocks`), and a template's final newline is kept.
fn syntax() -> minijinja::syntax::SyntaxConfig {
    minijinja::syntax::SyntaxConfig::builder()
        .trim_blocks(true)
        .lstrip_blocks(true)
        .keep_trailing_newline(true)
        .build()
        .unwrap_or_default()
}

/// An io::Write that refuses to grow past a limit, which is how a template's
/// output is capped while it renders (minijinja has no such limit itself).
struct CappedWriter {
    buf: Vec<u8>,
    limit: usize,
    exceeded: bool,
}

impl io::Write for CappedWriter {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        if self.buf.len() + data.len() > self.limit {
            self.exceeded = true;
            return Err(io::Error::other("rendered output over the size limit"));
        }
        self.buf.extend_from_slice(data);
        Ok(data.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chart::Chart;

    fn chart(templates: &[(&str, &str)]) -> Chart {
        let mut files = BTreeMap::new();
        files.insert(
            "Chart.yaml".to_string(),
            b"apiVersion: v2\nname: demo\nversion: 0.1.0\n".to_vec(),
        );
        for (name, text) in templates {
            files.insert(format!("templates/{name}"), text.as_bytes().to_vec());
        }
        Chart::from_files("demo".into(), files).expect("a valid test chart")
    }

    fn render(chart: &Chart, limits: Limits) -> Result<Vec<RenderedFile>, RenderError> {
        render_with(Engine::new(chart, limits)?)
    }

    fn render_with(engine: Engine) -> Result<Vec<RenderedFile>, RenderError> {
        let caps = Capabilities::new(semver::Version::new(1, 33, 0), &[]);
        let ctx = engine.context(
            &serde_json::Map::new(),
            &Release::new("r", "default"),
            &caps,
        );
        Ok(engine
            .render_all_with(&ctx, |_, _| ())?
            .into_iter()
            .map(|(file, ())| file)
            .collect())
    }

    #[test]
    fn the_release_byte_cap_counts_all_templates_together() {
        let chart = chart(&[("a.yaml", &"a".repeat(60)), ("b.yaml", &"b".repeat(60))]);
        let limits = Limits {
            template_bytes: 100,
            release_bytes: 100,
            ..Limits::default()
        };
        assert!(matches!(
            render(&chart, limits),
            Err(RenderError::ReleaseTooLarge { limit: 100 })
        ));
        let roomy = Limits {
            release_bytes: 200,
            ..limits
        };
        assert_eq!(render(&chart, roomy).map(|files| files.len()).ok(), Some(2));
    }

    #[test]
    fn a_text_taken_by_then_still_counts_against_the_release_cap() {
        let chart = chart(&[("a.yaml", &"a".repeat(60)), ("b.yaml", &"b".repeat(60))]);
        let caps = Capabilities::new(semver::Version::new(1, 33, 0), &[]);
        let run = |release_bytes| {
            let limits = Limits {
                release_bytes,
                ..Limits::default()
            };
            let engine = Engine::new(&chart, limits).expect("builds");
            let ctx = engine.context(
                &serde_json::Map::new(),
                &Release::new("r", "default"),
                &caps,
            );
            engine.render_all_with(&ctx, |_, text| std::mem::take(text).len())
        };
        assert!(matches!(
            run(100),
            Err(RenderError::ReleaseTooLarge { limit: 100 })
        ));
        let files = run(200).expect("renders");
        for (file, taken) in files {
            assert_eq!((file.text.as_str(), file.size, taken), ("", 60, 60));
        }
    }

    #[test]
    fn a_one_shot_engine_renders_and_fails_like_a_keeping_one() {
        let texts = |result: Result<Vec<RenderedFile>, RenderError>| {
            result.map(|files| {
                files
                    .into_iter()
                    .map(|file| (file.path, file.text))
                    .collect::<Vec<_>>()
            })
        };
        // b.yaml renders on its own and is included by a.yaml (compiled
        // twice by a one-shot engine); _helpers.j2 is imported by both.
        let shared = chart(&[
            ("_helpers.j2", "{% macro name() %}demo{% endmacro %}"),
            (
                "a.yaml",
                "{% import '_helpers.j2' as h %}a: {{ h.name() }}\n{% include 'b.yaml' %}",
            ),
            (
                "b.yaml",
                "{% import '_helpers.j2' as h %}b: {{ h.name() }}-b\n",
            ),
        ]);
        let keeping = texts(render(&shared, Limits::default())).expect("renders");
        let one_shot = Engine::new(&shared, Limits::default()).map(Engine::one_shot);
        assert_eq!(
            texts(one_shot.and_then(render_with)).expect("renders"),
            keeping
        );
        assert_eq!(keeping[0].1, "a: demo\nb: demo-b\n");

        let broken = chart(&[("ok.yaml", "a: 1\n"), ("bad.yaml", "a: 1\nb: {{ 1 +\n")]);
        let keeping = texts(render(&broken, Limits::default())).expect_err("a syntax error");
        let one_shot = Engine::new(&broken, Limits::default()).map(Engine::one_shot);
        let one_shot = texts(one_shot.and_then(render_with)).expect_err("a syntax error");
        assert_eq!(one_shot.to_string(), keeping.to_string());
        assert!(one_shot.to_string().contains("bad.yaml:2"), "{one_shot}");
    }
}

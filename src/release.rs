//! A release: a chart plus values plus release options, rendered into
//! sorted manifests. This is the pipeline every command that renders shares
//! (render, lint, diff, package's pre-check); the CLI only fills [`RenderOptions`].

use std::sync::OnceLock;

use crate::chart::{Chart, ChartError, constraint};
use crate::engine::{COMPUTED_TEMPLATE, Capabilities, Engine, Limits, Release, RenderedFile};
use crate::error::Result;
use crate::manifest::{self, Manifest, Ordered, Written};
use crate::values::schema::{self, Schema, SchemaError};
use crate::values::{self, Layer, Origin, ValueArgs, Values, ValuesError, scope};

#[derive(Debug, Clone)]
pub struct RenderOptions {
    pub release_name: String,
    pub namespace: String,
    pub values: ValueArgs,
    pub kube_version: Option<String>,
    pub api_versions: Vec<String>,
    pub limits: Limits,
}

impl Default for RenderOptions {
    fn default() -> Self {
        RenderOptions {
            release_name: "release".into(),
            namespace: "default".into(),
            values: ValueArgs::default(),
            kube_version: None,
            api_versions: Vec::new(),
            limits: Limits::default(),
        }
    }
}

/// The result of rendering a release: its objects parsed (`T` is
/// [`Manifest`]) or already written as text (`T` is [`Written`], see
/// [`Renderer::render_written`]).
#[derive(Debug, Clone)]
pub struct RenderedObjects<T> {
    /// In install order.
    pub objects: Vec<T>,
    /// Rendered text per template file (`templates/x.yaml`), before parsing;
    /// [`Renderer::render_written`] keeps their paths and sizes only (the
    /// texts are empty).
    pub files: Vec<RenderedFile>,
    pub notes: Option<String>,
}

/// A release rendered into parsed objects.
pub type Rendered = RenderedObjects<Manifest>;

impl RenderOptions {
    pub fn capabilities(&self) -> Result<Capabilities> {
        let text = self
            .kube_version
            .as_deref()
            .unwrap_or(crate::engine::DEFAULT_KUBE_VERSION);
        let version = constraint::parse_loose_version(text).map_err(|message| {
            ChartError::BadKubeVersion {
                value: text.to_string(),
                message,
            }
        })?;
        Ok(Capabilities::new(version, &self.api_versions))
    }
}

/// Resolves the root chart's final values: the four layers of DESIGN.md,
/// merged, each enabled subchart's values scoped under its name (see
/// [`scope`]), each chart checked against its own values.schema.json.
pub fn resolve_values(
    chart: &Chart,
    engine: &Engine,
    opts: &RenderOptions,
    caps: &Capabilities,
) -> Result<(Values, Vec<Layer>)> {
    let user = opts.values.layers()?;
    let tree = scope::plan(chart, &user)?;
    let resolved = resolve_node(&tree, Some(engine), Check::Load, opts, caps, user)?;
    Ok((resolved.values, resolved.layers))
}

/// Where a chart's values.schema.json comes from while its values resolve.
#[derive(Clone, Copy)]
enum Check<'s> {
    /// Loaded and applied as the values resolve (subcharts, [`resolve_values`]).
    Load,
    /// The root chart's, loaded once into the renderer's cell.
    Cell(&'s SchemaCell),
    /// The root chart's, still compiling on another thread: the caller
    /// applies it once the render is done (see [`Renderer::render_objects`]).
    Later,
}

/// A chart of the release with its final values, and its enabled subcharts.
struct ResolvedNode<'a> {
    node: &'a scope::Node<'a>,
    values: Values,
    layers: Vec<Layer>,
    children: Vec<ResolvedNode<'a>>,
}

/// One chart's values: its defaults (values.yaml with import-values), its
/// computed layer, then the layers above it (the user's for the root chart,
/// the parent's layers scoped to this chart for a subchart). Subcharts are
/// resolved from this chart's layers, and their final values are put back
/// under their names, as Helm's parent sees `values.<sub>`.
fn resolve_node<'a>(
    node: &'a scope::Node<'a>,
    engine: Option<&Engine>,
    schema: Check<'_>,
    opts: &RenderOptions,
    caps: &Capabilities,
    upper: Vec<Layer>,
) -> Result<ResolvedNode<'a>> {
    let defaults_path = node.chart.display_path("values.yaml");
    let defaults = Layer::shared(
        Origin::Defaults(defaults_path),
        std::sync::Arc::clone(&node.defaults),
        node.chart.text("values.yaml")?.map(str::to_string),
    );
    let own_engine;
    let engine = match engine {
        Some(engine) => engine,
        None if node.chart.text(COMPUTED_TEMPLATE)?.is_some() => {
            own_engine = Engine::for_subchart(&node.chart, node.display.clone(), opts.limits)?;
            &own_engine
        }
        None => {
            // No computed layer: no engine needed for values.
            return finish_node(node, schema, opts, caps, vec![defaults], upper);
        }
    };
    let mut layers = vec![defaults];
    if let Some(computed) = computed_layer(&node.chart, engine, opts, caps, &layers[0], &upper)? {
        layers.push(computed);
    }
    finish_node(node, schema, opts, caps, layers, upper)
}

fn finish_node<'a>(
    node: &'a scope::Node<'a>,
    schema: Check<'_>,
    opts: &RenderOptions,
    caps: &Capabilities,
    mut layers: Vec<Layer>,
    upper: Vec<Layer>,
) -> Result<ResolvedNode<'a>> {
    layers.extend(upper);
    let mut values = values::merge_layers(&layers);
    let mut children = Vec::new();
    for child in &node.children {
        let child_layers = layers
            .iter()
            .map(|l| scope::scoped_layer(l, &child.name))
            .collect();
        let resolved = resolve_node(child, None, Check::Load, opts, caps, child_layers)?;
        values.insert(
            child.name.clone(),
            serde_json::Value::Object(resolved.values.clone()),
        );
        children.push(resolved);
    }
    let mut resolved = ResolvedNode {
        node,
        values,
        layers,
        children,
    };
    match schema {
        Check::Load => {
            let loaded = Schema::load(&node.chart).map_err(ValuesError::from)?;
            validate(loaded.as_ref(), &mut resolved)?;
        }
        Check::Cell(cell) => validate_with(cell, &mut resolved)?,
        Check::Later => {}
    }
    Ok(resolved)
}

/// Checks a chart's final values against its schema, if it has one.
fn validate(schema: Option<&Schema>, resolved: &mut ResolvedNode<'_>) -> Result<()> {
    if let Some(schema) = schema {
        schema
            .validate(&mut resolved.values, &resolved.layers)
            .map_err(ValuesError::from)?;
    }
    Ok(())
}

/// [`validate`] with the root chart's schema, loaded into `cell` if it is
/// not there yet.
fn validate_with(cell: &SchemaCell, resolved: &mut ResolvedNode<'_>) -> Result<()> {
    let schema = cell
        .get_or_init(|| Schema::load(&resolved.node.chart))
        .as_ref()
        .map_err(|e| ValuesError::from(e.clone()))?;
    validate(schema.as_ref(), resolved)
}

/// Layer 2: values.computed.yaml rendered with `values` = layers 1+3+4, so
/// a computed default can depend on what the user set but never override it.
fn computed_layer(
    chart: &Chart,
    engine: &Engine,
    opts: &RenderOptions,
    caps: &Capabilities,
    defaults: &Layer,
    user: &[Layer],
) -> Result<Option<Layer>> {
    let Some(source) = chart.text(COMPUTED_TEMPLATE)? else {
        return Ok(None);
    };
    let path = chart.display_path(COMPUTED_TEMPLATE);
    let seen = values::merge_layers(std::iter::once(defaults).chain(user));
    let release = Release::new(&opts.release_name, &opts.namespace);
    let ctx = engine.context(&seen, &release, caps);
    let text = engine.render_named_str(COMPUTED_TEMPLATE, source, &ctx)?;
    let computed = values::parse_values(&text, &path).map_err(|e| ValuesError::Computed {
        path: path.clone(),
        message: format!("its rendered output must be a YAML mapping of values: {e}"),
    })?;
    Ok(Some(Layer::new(Origin::Computed(path), computed, None)))
}

/// Renders a chart with the given options: the chart and every enabled
/// subchart, each with its own context, all objects sorted together.
pub fn render(chart: &Chart, opts: &RenderOptions) -> Result<Rendered> {
    one_off(chart, opts)?.render(opts)
}

/// [`render`] with the user's layers (3 and 4) already built, rather than
/// read from `opts.values` (see [`Renderer::render_layers`]).
pub fn render_with_layers(
    chart: &Chart,
    opts: &RenderOptions,
    user: Vec<Layer>,
) -> Result<Rendered> {
    one_off(chart, opts)?.render_layers(opts, user)
}

/// A renderer for one render (see [`Renderer::once`]). The chart's
/// kubeVersion is checked first, so a chart for another cluster says so
/// before any template error.
pub fn one_off<'c>(chart: &'c Chart, opts: &RenderOptions) -> Result<Renderer<'c>> {
    let caps = opts.capabilities()?;
    chart.check_kube_version(&caps.kube_version)?;
    Ok(Renderer::new(chart, opts.limits)?.once())
}

/// A chart's root engine (templates compiled on first use, then kept) and
/// its compiled values.schema.json, for rendering the same chart with
/// several sets of values: `skiff lint` renders the defaults and each
/// `ci/*.yaml` with one.
pub struct Renderer<'c> {
    chart: &'c Chart,
    engine: Engine,
    schema: SchemaCell,
}

/// The root chart's schema, loaded when the first render validates values
/// (so its errors keep their place among the other values errors).
type SchemaCell = OnceLock<std::result::Result<Option<Schema>, SchemaError>>;

impl<'c> Renderer<'c> {
    /// Builds the engine: fails on a library chart or a template that is
    /// not UTF-8. `limits` must be those of every [`RenderOptions`] given
    /// to [`Renderer::render`].
    pub fn new(chart: &'c Chart, limits: Limits) -> Result<Renderer<'c>> {
        Ok(Renderer {
            chart,
            engine: Engine::new(chart, limits)?,
            schema: OnceLock::new(),
        })
    }

    /// Whether each render stays on the calling thread (a small chart).
    pub fn renders_on_one_thread(&self) -> bool {
        self.engine.renders_on_one_thread()
    }

    /// For a renderer that renders once: each template is compiled for its
    /// render and dropped (see [`Engine::one_shot`]), not kept for the next.
    pub fn once(self) -> Renderer<'c> {
        Renderer {
            engine: self.engine.one_shot(),
            ..self
        }
    }

    /// [`render`] with this chart.
    pub fn render(&self, opts: &RenderOptions) -> Result<Rendered> {
        self.render_objects(opts, None, &manifest::parse_file, true)
    }

    /// [`Renderer::render`] with the user's layers (3 and 4) already built,
    /// rather than read from `opts.values`: `skiff lint` reads the value
    /// flags once (stdin can be read only once) and puts each `ci/*.yaml`,
    /// read from the chart, below them.
    pub fn render_layers(&self, opts: &RenderOptions, user: Vec<Layer>) -> Result<Rendered> {
        self.render_objects(opts, Some(user), &manifest::parse_file, true)
    }

    /// Renders for printing: each object is written as canonical text on the
    /// thread that parsed it, and only that text is kept (see
    /// [`manifest::Written`]): the rendered text is freed once written.
    /// Errors are those of [`Renderer::render`].
    pub fn render_written(&self, opts: &RenderOptions) -> Result<RenderedObjects<Written>> {
        self.render_objects(opts, None, &manifest::write_file, false)
    }

    /// Renders with the user's layers, read from `opts.values` when None
    /// (after the kubeVersion check, so that error comes first).
    ///
    /// The first render compiles the root chart's values.schema.json on a
    /// second thread while the values resolve and the templates render, and
    /// checks the values once both are done. A values error still wins: it
    /// is reported before any error of the render, whose work is dropped.
    ///
    /// Without `keep_text`, each file's rendered text is freed once `parse`
    /// has made its objects (the files keep their paths and sizes).
    fn render_objects<T: Ordered + Send>(
        &self,
        opts: &RenderOptions,
        user: Option<Vec<Layer>>,
        parse: &ParseFn<T>,
        keep_text: bool,
    ) -> Result<RenderedObjects<T>> {
        let chart = self.chart;
        let caps = opts.capabilities()?;
        chart.check_kube_version(&caps.kube_version)?;
        let user = match user {
            Some(user) => user,
            None => opts.values.layers()?,
        };
        let tree = scope::plan(chart, &user)?;
        // Two pieces of work, the schema and the rest: a thread for each
        // when there are two cores (or SKIFF_THREADS allows two).
        let compile = self.schema.get().is_none()
            && chart.files.contains_key(schema::FILE)
            && crate::threads::for_items(2, 1) > 1;
        let then = |path: &str, text: &mut String| {
            let parsed = parse(path, text);
            if !keep_text {
                drop(std::mem::take(text));
            }
            parsed
        };
        std::thread::scope(|s| {
            let compiling = compile
                .then(|| crate::threads::spawn(s, "schema", || Schema::load(chart)).ok())
                .flatten();
            let check = match compiling {
                Some(_) => Check::Later,
                None => Check::Cell(&self.schema),
            };
            let outcome =
                resolve_node(&tree, Some(&self.engine), check, opts, &caps, user).map(|resolved| {
                    let rendered = self.render_resolved(&resolved, opts, &caps, &then);
                    (resolved, rendered)
                });
            if let Some(compiling) = compiling {
                let loaded = compiling
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
                // Kept even when the values failed, for the next value set.
                // Only this render fills the cell (`compile` saw it empty).
                let _ = self.schema.set(loaded);
            }
            let (mut resolved, rendered) = outcome?;
            if let Check::Later = check {
                validate_with(&self.schema, &mut resolved)?;
            }
            rendered
        })
    }

    /// Renders the root chart and its subcharts with their resolved values,
    /// all objects sorted together.
    fn render_resolved<T: Ordered + Send>(
        &self,
        resolved: &ResolvedNode<'_>,
        opts: &RenderOptions,
        caps: &Capabilities,
        then: &ThenFn<'_, T>,
    ) -> Result<RenderedObjects<T>> {
        let (chart, engine) = (self.chart, &self.engine);
        let release = Release::new(&opts.release_name, &opts.namespace);
        let ctx = engine.context(&resolved.values, &release, caps);
        let prefix = format!("{}/", chart.name());
        let mut files =
            engine.render_all_with(&ctx, |path, text| then(&format!("{prefix}{path}"), text))?;
        let notes = if engine.has_notes() {
            Some(engine.render_template("NOTES.txt", &ctx)?)
        } else {
            None
        };
        let mut total: usize = files.iter().map(|(f, _)| f.size).sum();
        render_subcharts(
            chart.name(),
            &resolved.children,
            opts,
            caps,
            &release,
            then,
            &mut files,
            &mut total,
        )?;
        // Parse errors come after every render error, in file order.
        let mut objects = Vec::new();
        let mut texts = Vec::with_capacity(files.len());
        for (file, parsed) in files {
            objects.extend(parsed?);
            texts.push(file);
        }
        manifest::sort(&mut objects);
        Ok(RenderedObjects {
            objects,
            files: texts,
            notes,
        })
    }
}

/// What the render does with each rendered file, on the thread that
/// rendered it: [`ParseFn`], and the text taken unless it is to be kept.
type ThenFn<'a, T> = dyn Fn(&str, &mut String) -> Parsed<T> + Sync + 'a;

/// Turns one rendered file (`<chart>/templates/x.yaml`, its text) into objects.
type ParseFn<T> = dyn Fn(&str, &str) -> std::result::Result<Vec<T>, manifest::ManifestError> + Sync;

/// A rendered file's objects, parsed on the thread that rendered it.
type Parsed<T> = std::result::Result<Vec<T>, manifest::ManifestError>;

/// Renders enabled subcharts depth-first; their files are named relative to
/// the root chart (`charts/<sub>/templates/<file>`), so `# Source:` reads
/// `<root>/charts/<sub>/templates/<file>` as in Helm.
#[allow(clippy::too_many_arguments)]
fn render_subcharts<T: Send>(
    root: &str,
    children: &[ResolvedNode<'_>],
    opts: &RenderOptions,
    caps: &Capabilities,
    release: &Release,
    then: &ThenFn<'_, T>,
    files: &mut Vec<(RenderedFile, Parsed<T>)>,
    total: &mut usize,
) -> Result<()> {
    for child in children {
        let node = child.node;
        // Built for this render only, so nothing compiled is worth keeping.
        let engine =
            Engine::for_subchart(&node.chart, node.display.clone(), opts.limits)?.one_shot();
        let ctx = engine.context(&child.values, release, caps);
        let prefix = format!("{root}/{}", node.rel);
        let rendered =
            engine.render_all_with(&ctx, |path, text| then(&format!("{prefix}{path}"), text))?;
        for (mut file, parsed) in rendered {
            *total += file.size;
            if *total > opts.limits.release_bytes {
                return Err(crate::engine::RenderError::ReleaseTooLarge {
                    limit: opts.limits.release_bytes,
                }
                .into());
            }
            file.path = format!("{}{}", node.rel, file.path);
            files.push((file, parsed));
        }
        render_subcharts(
            root,
            &child.children,
            opts,
            caps,
            release,
            then,
            files,
            total,
        )?;
    }
    Ok(())
}

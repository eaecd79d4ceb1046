//! A release: a chart plus values plus release options, rendered into
//! sorted manifests. This is the pipeline every command that renders shares
//! (render, lint, diff, package's pre-check); the CLI only fills [`RenderOptions`].

use crate::chart::{Chart, ChartError, constraint};
use crate::engine::{COMPUTED_TEMPLATE, Capabilities, Engine, Limits, Release};
use crate::error::Result;
use crate::manifest::{self, Manifest};
use crate::values::schema::Schema;
use crate::values::{self, Layer, Origin, ValueArgs, Values, ValuesError};

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

/// The result of rendering a release.
#[derive(Debug, Clone)]
pub struct Rendered {
    pub manifests: Vec<Manifest>,
    /// Rendered text per template file (`templates/x.yaml`), before parsing.
    pub files: Vec<crate::engine::RenderedFile>,
    pub notes: Option<String>,
    pub values: Values,
    pub layers: Vec<Layer>,
}

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

/// Resolves the final values: the four layers of DESIGN.md, merged, then
/// checked against values.schema.json.
pub fn resolve_values(
    chart: &Chart,
    engine: &Engine,
    opts: &RenderOptions,
    caps: &Capabilities,
) -> Result<(Values, Vec<Layer>)> {
    let defaults_path = chart.display_path("values.yaml");
    let defaults = match chart.text("values.yaml")? {
        Some(text) => Layer::new(
            Origin::Defaults(defaults_path.clone()),
            values::parse_values(text, &defaults_path)?,
            Some(text.to_string()),
        ),
        None => Layer::new(Origin::Defaults(defaults_path), Values::new(), None),
    };
    let user = opts.values.layers()?;
    let mut layers = vec![defaults];
    if let Some(computed) = computed_layer(chart, engine, opts, caps, &layers[0], &user)? {
        layers.push(computed);
    }
    layers.extend(user);
    let values = values::merge_layers(&layers);
    if let Some(schema) = Schema::load(chart).map_err(ValuesError::from)? {
        schema
            .validate(&values, &layers)
            .map_err(ValuesError::from)?;
    }
    Ok((values, layers))
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
    let ctx = engine.context(&seen, &release, chart, caps);
    let text = engine.render_named_str(COMPUTED_TEMPLATE, source, &ctx)?;
    let computed = values::parse_values(&text, &path).map_err(|e| ValuesError::Computed {
        path: path.clone(),
        message: format!("its rendered output must be a YAML mapping of values: {e}"),
    })?;
    Ok(Some(Layer::new(Origin::Computed(path), computed, None)))
}

/// Renders a chart with the given options.
pub fn render(chart: &Chart, opts: &RenderOptions) -> Result<Rendered> {
    let caps = opts.capabilities()?;
    chart.check_kube_version(&caps.kube_version)?;
    let engine = Engine::new(chart, opts.limits)?;
    let (values, layers) = resolve_values(chart, &engine, opts, &caps)?;
    let release = Release::new(&opts.release_name, &opts.namespace);
    let ctx = engine.context(&values, &release, chart, &caps);
    let files = engine.render_all(&ctx)?;
    let notes = if engine.has_notes() {
        Some(engine.render_template("NOTES.txt", &ctx)?)
    } else {
        None
    };
    let mut manifests = manifest::parse_rendered(chart.name(), &files)?;
    manifest::sort(&mut manifests);
    Ok(Rendered {
        manifests,
        files,
        notes,
        values,
        layers,
    })
}

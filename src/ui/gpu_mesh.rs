//! The map's plain vector meshes kept on the GPU. Each is uploaded once, when the display list
//! is lowered, and drawn by a wgpu paint callback every frame after, so an idle frame hands
//! egui no vertices to copy, tessellate or upload again. Plain means untextured: every vertex
//! samples egui's white texel, so the shader (`gpu_mesh.wgsl`, egui's own maths) needs no
//! texture. Text stays with egui, which owns the font atlas.
//!
//! Without a wgpu renderer (tests, or a window on another backend) the map paints the same
//! meshes as egui shapes instead.

use std::collections::HashMap;
use std::num::NonZeroU64;
use std::sync::{Arc, Weak};

use eframe::egui_wgpu::{self, CallbackResources, CallbackTrait, ScreenDescriptor, wgpu};
use egui::{Context, Id, Mesh, PaintCallbackInfo, Rect, Shape};
use wgpu::util::DeviceExt;

/// egui's vertex and fragment maths without the texture.
const SHADER: &str = include_str!("gpu_mesh.wgsl");

/// Bytes of one egui vertex: position, texture coordinate, colour.
const VERTEX_BYTES: usize = 20;

/// Bytes of the shader's uniforms: screen size in points, dithering, padding.
const UNIFORM_BYTES: u64 = 16;

fn flag_id() -> Id {
    Id::unique("sitewatch-gpu-meshes")
}

/// Builds the pipeline in `render_state` and tells the map to keep its plain meshes on the GPU.
pub fn install(ctx: &Context, render_state: &egui_wgpu::RenderState, dithering: bool) {
    let pipeline = Pipeline::new(&render_state.device, render_state.target_format, dithering);
    render_state
        .renderer
        .write()
        .callback_resources
        .insert(pipeline);
    set_enabled(ctx, true);
    log::info!("the map's plain meshes are kept on the GPU");
}

/// Whether the map draws its plain meshes through [`callback`] (a pipeline is installed).
#[must_use]
pub fn enabled(ctx: &Context) -> bool {
    ctx.data(|d| d.get_temp::<bool>(flag_id())).unwrap_or(false)
}

/// Turns GPU meshes on or off. The window does it through [`install`]; the frame benchmark
/// turns them on without a renderer to measure what the UI thread pays for them.
pub fn set_enabled(ctx: &Context, on: bool) {
    ctx.data_mut(|d| d.insert_temp(flag_id(), on));
}

/// The shape that draws `mesh` (a plain mesh, in points) from the GPU, cut to `clip`.
pub fn callback(clip: Rect, mesh: &Arc<Mesh>) -> Shape {
    Shape::Callback(egui_wgpu::Callback::new_paint_callback(
        clip,
        DrawMesh {
            mesh: Arc::clone(mesh),
        },
    ))
}

/// The pipeline and the meshes on the GPU, in egui's callback resources.
struct Pipeline {
    render: wgpu::RenderPipeline,
    uniforms: wgpu::Buffer,
    bind_group: wgpu::BindGroup,
    dithering: bool,
    /// The screen size the uniforms hold, in points.
    screen: [f32; 2],
    /// Uploaded meshes by the address of the mesh they hold.
    uploaded: HashMap<usize, Uploaded>,
}

/// One mesh's buffers, for as long as the map keeps the mesh.
struct Uploaded {
    source: Weak<Mesh>,
    vertices: wgpu::Buffer,
    indices: wgpu::Buffer,
    count: u32,
}

impl Uploaded {
    fn holds(&self, mesh: &Arc<Mesh>) -> bool {
        self.source.strong_count() > 0 && std::ptr::eq(self.source.as_ptr(), Arc::as_ptr(mesh))
    }
}

impl Pipeline {
    fn new(device: &wgpu::Device, format: wgpu::TextureFormat, dithering: bool) -> Self {
        let module = device.create_shader_module(wgpu::ShaderModuleDescriptor {
            label: Some("sitewatch_gpu_mesh"),
            source: wgpu::ShaderSource::Wgsl(SHADER.into()),
        });
        let layout = device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
            label: Some("sitewatch_gpu_mesh_uniforms"),
            entries: &[wgpu::BindGroupLayoutEntry {
                binding: 0,
                visibility: wgpu::ShaderStages::VERTEX | wgpu::ShaderStages::FRAGMENT,
                ty: wgpu::BindingType::Buffer {
                    has_dynamic_offset: false,
                    min_binding_size: NonZeroU64::new(UNIFORM_BYTES),
                    ty: wgpu::BufferBindingType::Uniform,
                },
                count: None,
            }],
        });
        let uniforms = device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("sitewatch_gpu_mesh_uniforms"),
            size: UNIFORM_BYTES,
            usage: wgpu::BufferUsages::UNIFORM | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        });
        let bind_group = device.create_bind_group(&wgpu::BindGroupDescriptor {
            label: Some("sitewatch_gpu_mesh_uniforms"),
            layout: &layout,
            entries: &[wgpu::BindGroupEntry {
                binding: 0,
                resource: uniforms.as_entire_binding(),
            }],
        });
        let pipeline_layout = device.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
            label: Some("sitewatch_gpu_mesh"),
            bind_group_layouts: &[Some(&layout)],
            immediate_size: 0,
        });
        let pipeline = device.create_render_pipeline(&wgpu::RenderPipelineDescriptor {
            label: Some("sitewatch_gpu_mesh"),
            layout: Some(&pipeline_layout),
            vertex: wgpu::VertexState {
                module: &module,
                entry_point: Some("vs_main"),
                buffers: &[Some(wgpu::VertexBufferLayout {
                    array_stride: VERTEX_BYTES as u64,
                    step_mode: wgpu::VertexStepMode::Vertex,
                    attributes: &wgpu::vertex_attr_array![0 => Float32x2, 1 => Float32x2, 2 => Uint32],
                })],
                compilation_options: wgpu::PipelineCompilationOptions::default(),
            },
            primitive: wgpu::PrimitiveState::default(),
            depth_stencil: None,
            multisample: wgpu::MultisampleState::default(),
            fragment: Some(wgpu::FragmentState {
                module: &module,
                entry_point: Some(if format.is_srgb() {
                    "fs_main_linear_framebuffer"
                } else {
                    "fs_main_gamma_framebuffer"
                }),
                // egui's premultiplied-alpha blending.
                targets: &[Some(wgpu::ColorTargetState {
                    format,
                    blend: Some(wgpu::BlendState {
                        color: wgpu::BlendComponent {
                            src_factor: wgpu::BlendFactor::One,
                            dst_factor: wgpu::BlendFactor::OneMinusSrcAlpha,
                            operation: wgpu::BlendOperation::Add,
                        },
                        alpha: wgpu::BlendComponent {
                            src_factor: wgpu::BlendFactor::OneMinusDstAlpha,
                            dst_factor: wgpu::BlendFactor::One,
                            operation: wgpu::BlendOperation::Add,
                        },
                    }),
                    write_mask: wgpu::ColorWrites::ALL,
                })],
                compilation_options: wgpu::PipelineCompilationOptions::default(),
            }),
            multiview_mask: None,
            cache: None,
        });
        Self {
            render: pipeline,
            uniforms,
            bind_group,
            dithering,
            screen: [0.0, 0.0],
            uploaded: HashMap::new(),
        }
    }

    fn set_screen(&mut self, queue: &wgpu::Queue, screen: &ScreenDescriptor) {
        let ppp = screen.pixels_per_point;
        let size = screen.size_in_pixels.map(|px| px as f32 / ppp);
        if size.map(f32::to_bits) == self.screen.map(f32::to_bits) {
            return;
        }
        self.screen = size;
        let mut bytes = Vec::with_capacity(UNIFORM_BYTES as usize);
        bytes.extend_from_slice(&size[0].to_le_bytes());
        bytes.extend_from_slice(&size[1].to_le_bytes());
        bytes.extend_from_slice(&u32::from(self.dithering).to_le_bytes());
        bytes.extend_from_slice(&0u32.to_le_bytes());
        queue.write_buffer(&self.uniforms, 0, &bytes);
    }

    /// The buffers of `mesh`, if it is uploaded.
    fn find(&self, mesh: &Arc<Mesh>) -> Option<&Uploaded> {
        self.uploaded
            .get(&(Arc::as_ptr(mesh) as usize))
            .filter(|u| u.holds(mesh))
    }

    /// Uploads `mesh` unless it is there; a new mesh first lets go of those the map dropped.
    fn upload(&mut self, device: &wgpu::Device, mesh: &Arc<Mesh>) {
        if self.find(mesh).is_some() {
            return;
        }
        self.uploaded.retain(|_, u| u.source.strong_count() > 0);
        let vertices = device.create_buffer_init(&wgpu::util::BufferInitDescriptor {
            label: Some("sitewatch_gpu_mesh_vertices"),
            contents: &vertex_bytes(mesh),
            usage: wgpu::BufferUsages::VERTEX,
        });
        let indices: Vec<u8> = mesh.indices.iter().flat_map(|i| i.to_le_bytes()).collect();
        let indices = device.create_buffer_init(&wgpu::util::BufferInitDescriptor {
            label: Some("sitewatch_gpu_mesh_indices"),
            contents: &indices,
            usage: wgpu::BufferUsages::INDEX,
        });
        log::debug!(
            "uploaded a map mesh: {} vertices, {} indices",
            mesh.vertices.len(),
            mesh.indices.len()
        );
        let uploaded = Uploaded {
            source: Arc::downgrade(mesh),
            vertices,
            indices,
            count: mesh.indices.len() as u32,
        };
        self.uploaded.insert(Arc::as_ptr(mesh) as usize, uploaded);
    }
}

/// The vertices as the shader reads them (egui's layout, little-endian).
fn vertex_bytes(mesh: &Mesh) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(mesh.vertices.len() * VERTEX_BYTES);
    for v in &mesh.vertices {
        for f in [v.pos.x, v.pos.y, v.uv.x, v.uv.y] {
            bytes.extend_from_slice(&f.to_le_bytes());
        }
        bytes.extend_from_slice(&v.color.to_array());
    }
    bytes
}

/// One plain mesh drawn from its GPU buffers.
struct DrawMesh {
    mesh: Arc<Mesh>,
}

impl CallbackTrait for DrawMesh {
    fn prepare(
        &self,
        device: &wgpu::Device,
        queue: &wgpu::Queue,
        screen: &ScreenDescriptor,
        _encoder: &mut wgpu::CommandEncoder,
        resources: &mut CallbackResources,
    ) -> Vec<wgpu::CommandBuffer> {
        if let Some(pipeline) = resources.get_mut::<Pipeline>() {
            pipeline.set_screen(queue, screen);
            pipeline.upload(device, &self.mesh);
        }
        Vec::new()
    }

    fn paint(
        &self,
        info: PaintCallbackInfo,
        pass: &mut wgpu::RenderPass<'static>,
        resources: &CallbackResources,
    ) {
        let Some(pipeline) = resources.get::<Pipeline>() else {
            return;
        };
        let Some(uploaded) = pipeline.find(&self.mesh) else {
            return;
        };
        // Vertices are in screen points: draw over the whole screen, cut by egui's scissor.
        let [w, h] = info.screen_size_px;
        pass.set_viewport(0.0, 0.0, w as f32, h as f32, 0.0, 1.0);
        pass.set_pipeline(&pipeline.render);
        pass.set_bind_group(0, &pipeline.bind_group, &[]);
        pass.set_vertex_buffer(0, uploaded.vertices.slice(..));
        pass.set_index_buffer(uploaded.indices.slice(..), wgpu::IndexFormat::Uint32);
        pass.draw_indexed(0..uploaded.count, 0, 0..1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shader_is_valid_wgsl() {
        let module = wgpu::naga::front::wgsl::parse_str(SHADER).expect("parses");
        let mut validator = wgpu::naga::valid::Validator::new(
            wgpu::naga::valid::ValidationFlags::all(),
            wgpu::naga::valid::Capabilities::all(),
        );
        validator.validate(&module).expect("validates");
        for entry in [
            "vs_main",
            "fs_main_linear_framebuffer",
            "fs_main_gamma_framebuffer",
        ] {
            assert!(
                module.entry_points.iter().any(|e| e.name == entry),
                "{entry} is missing"
            );
        }
    }

    #[test]
    fn vertices_are_laid_out_as_egui_lays_them_out() {
        let mut mesh = Mesh::default();
        mesh.colored_vertex(egui::pos2(1.5, -2.0), egui::Color32::from_rgb(1, 2, 3));
        let bytes = vertex_bytes(&mesh);
        assert_eq!(bytes.len(), VERTEX_BYTES);
        assert_eq!(bytes[0..4], 1.5f32.to_le_bytes());
        assert_eq!(bytes[4..8], (-2.0f32).to_le_bytes());
        assert_eq!(bytes[16..20], [1, 2, 3, 255]);
    }
}

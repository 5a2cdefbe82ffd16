//! Panels and widgets. Each `*_ui` function draws from state and returns commands.

pub mod align;
pub mod annotations;
pub mod changes;
pub mod changes_review;
pub mod compare_bar;
pub mod compare_options;
pub mod export_dialog;
pub mod file_menu;
pub mod file_modals;
pub mod gpu_mesh;
pub mod histogram;
pub mod import_dialog;
pub mod inspector;
pub mod layer_add;
pub mod layers;
pub mod list_mesh;
pub mod loupe;
pub mod map_edit;
pub mod map_view;
pub mod progress;
pub mod progress_form;
pub mod stage_views;
pub mod theme;
pub mod timeline;
pub mod tools;
pub mod top_bar;

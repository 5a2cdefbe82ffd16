//! Panels and widgets. Each `*_ui` function draws from state and returns commands.

pub mod annotations;
pub mod map_view;
pub mod theme;
pub mod timeline;
pub mod top_bar;

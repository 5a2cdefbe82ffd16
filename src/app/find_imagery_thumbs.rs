//! The Find imagery results' previews: fetched on worker threads, at most two at a time per
//! host, decoded into textures kept by URL until the next search replaces the results. Where the
//! catalogue signs its assets (the Planetary Computer), a preview kept on another host than the
//! catalogue (its blob storage) is signed with the item's collection's token, as the layers are.

use std::collections::HashMap;
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Mutex, PoisonError};

use image::RgbaImage;

use crate::imagery::raster::signed::Signers;
use crate::imagery::stac::thumbnail::{
    ThumbnailError, decode_thumbnail, fetch_thumbnail, thumbnail_agent, thumbnail_url,
};
use crate::imagery::stac::{Item, SasSigner, Signing};
use crate::ui::find_imagery_thumb::RowPreview;

/// At most this many preview requests run at once against one host (the tile servers' etiquette).
const PER_HOST: usize = 2;

/// One preview.
enum Thumb {
    /// Waiting for a free slot on its host.
    Queued,
    /// Being fetched.
    Loading,
    /// Shown.
    Ready(egui::TextureHandle),
    /// Why there is none.
    Failed(String),
}

/// A finished fetch: the URL and the picture or why not.
type Answer = (String, Result<RgbaImage, String>);

/// How a search's previews are signed: with the catalogue's token endpoint, for previews on
/// another host than the catalogue.
pub(crate) struct PreviewSigning {
    signer: Arc<SasSigner>,
    catalogue_host: String,
}

impl PreviewSigning {
    /// The signing of a search at `origin` whose assets are signed as `signing` says.
    pub(crate) fn of(signing: &Signing, origin: &str) -> Option<Self> {
        match signing {
            Signing::None => None,
            Signing::PlanetaryComputer { token_url } => Some(Self {
                signer: Signers::shared().endpoint(token_url),
                catalogue_host: host_of(origin),
            }),
        }
    }
}

/// The previews of the results on show.
pub(crate) struct Thumbs {
    /// By URL, for the results' life.
    by_url: HashMap<String, Thumb>,
    /// URLs in the results' order, so the first rows load first.
    order: Vec<String>,
    /// Requests running per host, shared with the workers (and across searches, whose workers
    /// may still be finishing).
    running: Arc<Mutex<HashMap<String, usize>>>,
    /// Where this search's workers answer; a new search makes a new channel, so late answers
    /// of an old one are dropped.
    answers: (Sender<Answer>, Receiver<Answer>),
    /// The signer of this search's previews, when they are signed.
    signer: Option<Arc<SasSigner>>,
    /// The collection whose token signs a preview, by URL (only previews to sign).
    sign_as: HashMap<String, String>,
}

impl Default for Thumbs {
    fn default() -> Self {
        Self {
            by_url: HashMap::new(),
            order: Vec::new(),
            running: Arc::new(Mutex::new(HashMap::new())),
            answers: mpsc::channel(),
            signer: None,
            sign_as: HashMap::new(),
        }
    }
}

impl Thumbs {
    /// Forgets the previews of earlier results and queues those of `items`, signed as
    /// `signing` says.
    pub(crate) fn reset(&mut self, items: &[Item], signing: Option<PreviewSigning>) {
        self.by_url.clear();
        self.order.clear();
        self.sign_as.clear();
        self.answers = mpsc::channel();
        for item in items {
            let Some(url) = thumbnail_url(item) else {
                continue;
            };
            if let (Some(signing), Some(collection)) = (&signing, &item.collection)
                && host_of(url) != signing.catalogue_host
            {
                self.sign_as.insert(url.to_owned(), collection.clone());
            }
            if !self.by_url.contains_key(url) {
                self.by_url.insert(url.to_owned(), Thumb::Queued);
                self.order.push(url.to_owned());
            }
        }
        self.signer = signing.map(|s| s.signer);
    }

    /// Takes finished fetches as textures and starts queued ones where their host has a slot.
    pub(crate) fn pump(&mut self, ctx: &egui::Context) {
        while let Ok((url, answer)) = self.answers.1.try_recv() {
            let thumb = match answer {
                Ok(rgba) => {
                    let size = [rgba.width() as usize, rgba.height() as usize];
                    let picture = egui::ColorImage::from_rgba_unmultiplied(size, rgba.as_raw());
                    let name = format!("stac-preview-{url}");
                    Thumb::Ready(ctx.load_texture(name, picture, egui::TextureOptions::LINEAR))
                }
                Err(why) => Thumb::Failed(why),
            };
            if let Some(slot) = self.by_url.get_mut(&url) {
                *slot = thumb;
            }
        }
        for url in &self.order {
            let Some(thumb @ Thumb::Queued) = self.by_url.get_mut(url) else {
                continue;
            };
            let host = host_of(url);
            {
                let mut running = self.running.lock().unwrap_or_else(PoisonError::into_inner);
                let count = running.entry(host.clone()).or_insert(0);
                if *count >= PER_HOST {
                    continue;
                }
                *count += 1;
            }
            *thumb = Thumb::Loading;
            let (url, tx, running, repaint) = (
                url.clone(),
                self.answers.0.clone(),
                Arc::clone(&self.running),
                ctx.clone(),
            );
            let signing = self.signer.clone().zip(self.sign_as.get(&url).cloned());
            std::thread::spawn(move || {
                let answer = match signing {
                    Some((signer, collection)) => fetch_signed(&signer, &collection, &url),
                    None => fetch_thumbnail(&thumbnail_agent(), &url)
                        .map_err(|e| super::error_chain(&e)),
                };
                if let Some(count) = running
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .get_mut(&host)
                {
                    *count = count.saturating_sub(1);
                }
                // A new search dropped the receiver: the answer is not wanted.
                let _ = tx.send((url, answer));
                repaint.request_repaint();
            });
        }
    }

    /// What the row of `item` shows.
    pub(crate) fn preview(&self, item: &Item) -> RowPreview {
        let Some(url) = thumbnail_url(item) else {
            return RowPreview::Missing("the item has no PNG or JPEG preview".to_owned());
        };
        match self.by_url.get(url) {
            Some(Thumb::Ready(texture)) => RowPreview::Ready {
                texture: texture.id(),
                size_px: texture.size_vec2(),
            },
            Some(Thumb::Failed(why)) => RowPreview::Missing(why.clone()),
            Some(Thumb::Queued | Thumb::Loading) | None => RowPreview::Loading,
        }
    }

    /// How many previews are queued or being fetched.
    pub(crate) fn pending(&self) -> usize {
        self.by_url
            .values()
            .filter(|t| matches!(t, Thumb::Queued | Thumb::Loading))
            .count()
    }
}

/// The preview at `url` signed with `collection`'s token (re-signed once on a 403), decoded.
fn fetch_signed(signer: &SasSigner, collection: &str, url: &str) -> Result<RgbaImage, String> {
    let bytes = signer
        .get_signed(collection, url)
        .map_err(|e| super::error_chain(&e))?;
    decode_thumbnail(&bytes).map_err(|source| {
        super::error_chain(&ThumbnailError::Decode {
            source,
            url: url.to_owned(),
        })
    })
}

/// The `host:port` of a URL, the unit of the per-host limit.
fn host_of(url: &str) -> String {
    crate::imagery::http::url_host(url).to_ascii_lowercase()
}

#[cfg(test)]
mod tests {
    use super::host_of;

    #[test]
    fn hosts_are_told_apart_by_name_and_port() {
        assert_eq!(host_of("https://E.example/a/b.png"), "e.example");
        assert_eq!(host_of("http://127.0.0.1:8080/t.png?x=1"), "127.0.0.1:8080");
    }
}

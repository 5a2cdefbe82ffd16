//! Which Wayback releases may have new imagery in one tile, asked as Esri's Wayback app asks:
//! the `tilemap` of a release says whether a tile exists there and, in `select`, the newest
//! release at or before it that stored one. Walking from the newest release and jumping past
//! each `select` skips the releases where the tile did not change, so a place with three
//! changes in eighty releases costs four requests, not eighty.

use serde_json::Value;

use super::wayback::WaybackRelease;
use super::wayback_service::{
    CaptureError, Phase, TileAddress, Watch, WaybackHttp, WaybackService,
};

/// One tilemap answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Tilemap {
    /// Whether the release (or an older one) has a tile here.
    pub has_tile: bool,
    /// The newest release at or before the asked one that stored this tile, when given.
    pub select: Option<u32>,
}

/// Reads a tilemap answer: `{"data": [1], "select": [58924], "valid": true, …}`.
pub fn parse_tilemap(bytes: &[u8], url: &str) -> Result<Tilemap, CaptureError> {
    let malformed = |message: &str| CaptureError::Malformed {
        what: "tilemap",
        message: message.to_owned(),
        url: url.to_owned(),
    };
    let doc: Value = serde_json::from_slice(bytes).map_err(|_| malformed("not JSON"))?;
    let Some(first) = doc
        .get("data")
        .and_then(Value::as_array)
        .and_then(|data| data.first())
    else {
        return Err(malformed("no `data` array"));
    };
    let has_tile = first.as_f64().is_some_and(|v| v != 0.0) || first.as_bool() == Some(true);
    let select = doc
        .get("select")
        .and_then(Value::as_array)
        .and_then(|s| s.first())
        .and_then(|v| {
            v.as_u64()
                .or_else(|| v.as_str().and_then(|t| t.trim().parse().ok()))
        })
        .and_then(|v| u32::try_from(v).ok());
    Ok(Tilemap { has_tile, select })
}

/// The releases whose tile at `tile` may differ from the release before, newest first, found by
/// walking `releases` (newest first) with the tilemap. Reports `k of N` releases accounted for.
pub fn candidate_releases(
    http: &WaybackHttp,
    service: &WaybackService,
    releases: &[WaybackRelease],
    tile: TileAddress,
    watch: &Watch<'_>,
) -> Result<Vec<u32>, CaptureError> {
    let total = releases.len();
    let mut found = Vec::new();
    let mut index = 0;
    while let Some(release) = releases.get(index) {
        watch.step(Phase::Tilemap, index, total)?;
        let url = service.tilemap_url(release.number, tile);
        let map = parse_tilemap(&http.get("tilemap", &url)?, &url)?;
        if !map.has_tile {
            break;
        }
        // `select` names the release that stored the tile; one not in the list, or newer than
        // the one asked (which would walk backwards), counts as the one asked.
        let stored = map
            .select
            .and_then(|number| releases.iter().skip(index).position(|r| r.number == number))
            .map_or(index, |offset| index + offset);
        if let Some(stored_release) = releases.get(stored) {
            found.push(stored_release.number);
        }
        index = stored + 1;
    }
    watch.step(Phase::Tilemap, total, total)?;
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tilemap_answer_gives_whether_a_tile_exists_and_which_release_stored_it() {
        let map = parse_tilemap(
            br#"{"data":[1],"select":[13192],"valid":true,"location":{"left":0,"top":0,"width":1,"height":1}}"#,
            "u",
        )
        .unwrap();
        assert_eq!(
            map,
            Tilemap {
                has_tile: true,
                select: Some(13192)
            }
        );
        let none = parse_tilemap(br#"{"data":[0],"valid":true}"#, "u").unwrap();
        assert_eq!(
            none,
            Tilemap {
                has_tile: false,
                select: None
            }
        );
        let text = parse_tilemap(br#"{"data":[1],"select":["64"]}"#, "u").unwrap();
        assert_eq!(text.select, Some(64));
    }

    #[test]
    fn a_tilemap_that_is_not_one_is_an_error_naming_the_url() {
        for body in [&b"<html>"[..], b"{}", b"{\"data\": []}"] {
            let err = parse_tilemap(body, "http://h/tilemap/1/2/3/4").unwrap_err();
            let text = err.to_string();
            assert!(
                text.starts_with("Wayback tilemap: unexpected answer"),
                "{text}"
            );
            assert!(text.ends_with(": http://h/tilemap/1/2/3/4"), "{text}");
        }
    }
}

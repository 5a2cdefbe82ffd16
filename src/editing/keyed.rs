//! The one way an edit inserts, replaces and removes an item of a keyed list of the project
//! (annotations and layers by id, categories and sources by key, measures by id). Each returns
//! what its inverse needs; on an error the list is unchanged.

use super::edit::EditError;
use crate::model::{Annotation, Category, ImageryLayer, Measure, Source};

/// An item found by a unique key in its list.
pub(crate) trait Keyed {
    /// Its key.
    fn key(&self) -> &str;
    /// Gives it a key (a replacement keeps the key of what it replaces).
    fn set_key(&mut self, key: &str);
}

macro_rules! keyed {
    ($($ty:ty: $field:ident),*) => {$(
        impl Keyed for $ty {
            fn key(&self) -> &str {
                &self.$field
            }
            fn set_key(&mut self, key: &str) {
                key.clone_into(&mut self.$field);
            }
        }
    )*};
}

keyed!(Annotation: id, Category: key, Source: key, ImageryLayer: id, Measure: id);

/// Where the item with `key` is.
pub(crate) fn position<T: Keyed>(
    list: &[T],
    key: &str,
    unknown: fn(String) -> EditError,
) -> Result<usize, EditError> {
    list.iter()
        .position(|x| x.key() == key)
        .ok_or_else(|| unknown(key.to_owned()))
}

/// Inserts `item` at `index` (clamped to the end); refuses a key the list already has. Returns
/// the key.
pub(crate) fn insert<T: Keyed>(
    list: &mut Vec<T>,
    index: usize,
    item: T,
    duplicate: fn(String) -> EditError,
) -> Result<String, EditError> {
    let key = item.key().to_owned();
    if list.iter().any(|x| x.key() == key) {
        return Err(duplicate(key));
    }
    list.insert(index.min(list.len()), item);
    Ok(key)
}

/// Puts `item` in place of the item with `key` (it takes that key); returns the old one.
pub(crate) fn replace<T: Keyed>(
    list: &mut [T],
    key: &str,
    mut item: T,
    unknown: fn(String) -> EditError,
) -> Result<T, EditError> {
    let index = position(list, key, unknown)?;
    item.set_key(key);
    Ok(std::mem::replace(&mut list[index], item))
}

/// Takes the item with `key` out; returns where it was and the item.
pub(crate) fn remove<T: Keyed>(
    list: &mut Vec<T>,
    key: &str,
    unknown: fn(String) -> EditError,
) -> Result<(usize, T), EditError> {
    let index = position(list, key, unknown)?;
    Ok((index, list.remove(index)))
}

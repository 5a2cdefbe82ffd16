//! A small element tree over quick-xml: WMTS capabilities are read by walking named children,
//! which is clearer than a state machine over events. Namespace prefixes are dropped (`ows:Title`
//! is `Title`), since WMTS documents use the same local names consistently.

use quick_xml::events::{BytesStart, Event};

/// Deepest nesting accepted; capabilities documents are about 8 deep.
const MAX_DEPTH: usize = 64;

/// One element: local name, attributes by local name, text and children.
#[derive(Debug, Default)]
pub(crate) struct Element {
    pub name: String,
    pub attributes: Vec<(String, String)>,
    pub text: String,
    pub children: Vec<Element>,
}

impl Element {
    /// The first child called `name`.
    pub fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|child| child.name == name)
    }

    /// Every child called `name`.
    pub fn children<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Element> + 'a {
        self.children.iter().filter(move |child| child.name == name)
    }

    /// The trimmed text of the first child called `name`.
    pub fn child_text(&self, name: &str) -> Option<&str> {
        self.child(name).map(|child| child.text.trim())
    }

    /// The attribute called `name` (local name).
    pub fn attribute(&self, name: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }
}

/// Parses `text` into its root element; the error says what is wrong and near which byte.
pub(crate) fn parse(text: &str) -> Result<Element, String> {
    let mut reader = quick_xml::Reader::from_str(text);
    let mut stack: Vec<Element> = Vec::new();
    loop {
        let position = reader.buffer_position();
        let event = reader
            .read_event()
            .map_err(|err| format!("{err} near byte {position}"))?;
        match event {
            Event::Start(start) => {
                if stack.len() >= MAX_DEPTH {
                    return Err(format!(
                        "nested deeper than {MAX_DEPTH} near byte {position}"
                    ));
                }
                stack.push(element(&start, position)?);
            }
            Event::Empty(start) => {
                let done = element(&start, position)?;
                if let Some(root) = close(&mut stack, done) {
                    return Ok(root);
                }
            }
            Event::End(_) => {
                let Some(done) = stack.pop() else {
                    return Err(format!(
                        "closing tag without an opening one near byte {position}"
                    ));
                };
                if let Some(root) = close(&mut stack, done) {
                    return Ok(root);
                }
            }
            Event::Text(text) => {
                let decoded = text
                    .xml10_content()
                    .map_err(|err| format!("{err} near byte {position}"))?;
                if let Some(open) = stack.last_mut() {
                    open.text.push_str(&decoded);
                }
            }
            Event::CData(data) => {
                let decoded = data
                    .decode()
                    .map_err(|err| format!("{err} near byte {position}"))?;
                if let Some(open) = stack.last_mut() {
                    open.text.push_str(&decoded);
                }
            }
            Event::GeneralRef(reference) => {
                let resolved = match reference.resolve_char_ref() {
                    Ok(Some(ch)) => Some(ch),
                    Ok(None) => match reference.decode().as_deref() {
                        Ok("amp") => Some('&'),
                        Ok("lt") => Some('<'),
                        Ok("gt") => Some('>'),
                        Ok("quot") => Some('"'),
                        Ok("apos") => Some('\''),
                        _ => None,
                    },
                    Err(_) => None,
                };
                let Some(ch) = resolved else {
                    return Err(format!("unknown entity near byte {position}"));
                };
                if let Some(open) = stack.last_mut() {
                    open.text.push(ch);
                }
            }
            Event::Eof => {
                return Err(match stack.last() {
                    Some(open) => format!("the document ends inside <{}> (truncated?)", open.name),
                    None => "no root element".to_owned(),
                });
            }
            _ => {}
        }
    }
}

/// Attaches `done` to its parent, or returns it when it is the root.
fn close(stack: &mut [Element], done: Element) -> Option<Element> {
    match stack.last_mut() {
        Some(parent) => {
            parent.children.push(done);
            None
        }
        None => Some(done),
    }
}

fn element(start: &BytesStart<'_>, position: u64) -> Result<Element, String> {
    let name = String::from_utf8_lossy(start.local_name().as_ref()).into_owned();
    let mut attributes = Vec::new();
    for attribute in start.attributes() {
        let attribute = attribute.map_err(|err| format!("{err} near byte {position}"))?;
        let key = String::from_utf8_lossy(attribute.key.local_name().as_ref()).into_owned();
        let value = attribute
            .normalized_value(quick_xml::XmlVersion::Implicit1_0)
            .map_err(|err| format!("{err} near byte {position}"))?
            .into_owned();
        attributes.push((key, value));
    }
    Ok(Element {
        name,
        attributes,
        ..Element::default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_are_dropped_and_entities_resolved() {
        let root = parse(
            r#"<?xml version="1.0"?><Capabilities xmlns:ows="o"><ows:Title>A &amp; B&#33;</ows:Title>
               <ResourceURL template="https://h/{z}?a=1&amp;b=2"/></Capabilities>"#,
        )
        .unwrap();
        assert_eq!(root.child_text("Title"), Some("A & B!"));
        assert_eq!(
            root.child("ResourceURL").unwrap().attribute("template"),
            Some("https://h/{z}?a=1&b=2")
        );
    }

    #[test]
    fn a_truncated_document_is_an_error_naming_the_open_element() {
        let err = parse("<Capabilities><Contents><Layer>").unwrap_err();
        assert!(err.contains("<Layer>"), "{err}");
        assert!(parse("").is_err());
        assert!(parse("<a></b>").is_err());
    }
}

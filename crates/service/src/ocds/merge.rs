//! The OCDS merge routine: a contracting process's releases, oldest first, compiled into the
//! process's current state (OCDS 1.1 "Merging"). A field set to null is removed; objects merge
//! field by field; an array of objects that all carry an `id` merges item by item on that id;
//! any other array, and a field the schema marks `wholeListMerge`, is replaced whole.

use serde_json::{Map, Value};

/// Fields the UK profile marks `wholeListMerge`: replaced whole even though their items have ids.
const WHOLE_LIST_MERGE: [&str; 1] = ["rationaleClassifications"];

/// The releases compiled, oldest first by `date` (ties keep their order), with the tag
/// `compiled` and an id of its own.
pub fn compile(releases: &[Value]) -> Value {
    let mut ordered: Vec<&Value> = releases.iter().collect();
    ordered.sort_by(|a, b| {
        a["date"]
            .as_str()
            .unwrap_or_default()
            .cmp(b["date"].as_str().unwrap_or_default())
    });
    let mut compiled = Value::Object(Map::new());
    for release in ordered {
        merge_into(&mut compiled, release, "");
    }
    if let Value::Object(fields) = &mut compiled {
        let ocid = fields
            .get("ocid")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        fields.insert("id".to_owned(), Value::String(format!("{ocid}-compiled")));
        fields.insert("tag".to_owned(), serde_json::json!(["compiled"]));
    }
    compiled
}

fn identified(items: &[Value]) -> bool {
    !items.is_empty()
        && items
            .iter()
            .all(|i| i.get("id").is_some_and(|id| !id.is_null()))
}

fn merge_into(target: &mut Value, update: &Value, field: &str) {
    match (target, update) {
        (Value::Object(into), Value::Object(from)) => {
            for (key, value) in from {
                if value.is_null() {
                    into.remove(key);
                } else if let Some(existing) = into.get_mut(key) {
                    merge_into(existing, value, key);
                } else {
                    let mut fresh = Value::Null;
                    merge_into(&mut fresh, value, key);
                    into.insert(key.clone(), fresh);
                }
            }
        }
        (Value::Array(into), Value::Array(from))
            if identified(from) && !WHOLE_LIST_MERGE.contains(&field) =>
        {
            for item in from {
                match into
                    .iter_mut()
                    .find(|existing| existing.get("id") == item.get("id"))
                {
                    Some(existing) => merge_into(existing, item, ""),
                    None => {
                        let mut fresh = Value::Null;
                        merge_into(&mut fresh, item, "");
                        into.push(fresh);
                    }
                }
            }
        }
        (target, Value::Object(from)) => {
            // A new object (or one replacing a value of another kind): its nulls are dropped.
            let mut fresh = Value::Object(Map::new());
            merge_into(&mut fresh, &Value::Object(from.clone()), field);
            *target = fresh;
        }
        (target, Value::Array(from)) if identified(from) && !WHOLE_LIST_MERGE.contains(&field) => {
            let mut fresh = Value::Array(Vec::new());
            merge_into(&mut fresh, &Value::Array(from.clone()), field);
            *target = fresh;
        }
        (target, value) => *target = value.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn later_releases_win_field_by_field_and_null_removes_a_field() {
        let first = json!({"ocid": "ocds-abcdef-1", "id": "1", "date": "2027-01-01T00:00:00Z",
                           "tag": ["tender"], "tender": {"title": "A", "status": "active", "value": {"amount": 1.0}}});
        let second = json!({"ocid": "ocds-abcdef-1", "id": "2", "date": "2027-02-01T00:00:00Z",
                            "tag": ["tenderCancellation"], "tender": {"status": "cancelled", "value": null}});
        // Given newest first, they are still applied oldest first.
        let compiled = compile(&[second, first]);
        assert_eq!(
            compiled,
            json!({"ocid": "ocds-abcdef-1", "id": "ocds-abcdef-1-compiled", "date": "2027-02-01T00:00:00Z",
                   "tag": ["compiled"], "tender": {"title": "A", "status": "cancelled"}})
        );
    }

    #[test]
    fn arrays_of_identified_objects_merge_by_id_and_other_arrays_are_replaced() {
        let first = json!({"date": "2027-01-01T00:00:00Z",
            "awards": [{"id": "a1", "status": "pending", "suppliers": [{"id": "s1"}]}],
            "parties": [{"id": "p1", "roles": ["buyer", "procuringEntity"]}],
            "amendments": [{"id": "m1", "rationaleClassifications": [{"id": "x"}, {"id": "y"}]}]});
        let second = json!({"date": "2027-02-01T00:00:00Z",
            "awards": [{"id": "a1", "status": "active"}, {"id": "a2", "status": "pending", "note": null}],
            "parties": [{"id": "p1", "roles": ["buyer"]}],
            "amendments": [{"id": "m1", "rationaleClassifications": [{"id": "z"}]}]});
        let compiled = compile(&[first, second]);
        assert_eq!(
            compiled["awards"],
            json!([{"id": "a1", "status": "active", "suppliers": [{"id": "s1"}]}, {"id": "a2", "status": "pending"}])
        );
        assert_eq!(compiled["parties"][0]["roles"], json!(["buyer"]));
        assert_eq!(
            compiled["amendments"][0]["rationaleClassifications"],
            json!([{"id": "z"}])
        );
    }
}

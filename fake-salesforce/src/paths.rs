//! Splitting `/services/data/{version}/...` paths into decoded segments.

/// Decodes `%XX` escapes (and nothing else: `+` stays a plus in a path).
pub(crate) fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok());
        match (bytes[i], hex.and_then(|h| u8::from_str_radix(h, 16).ok())) {
            (b'%', Some(b)) => {
                out.push(b);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// `/services/data/v62.0/sobjects/Account/x?y` -> ("v62.0", ["sobjects","Account","x"]).
/// Graph node urls may also be relative to the version (`/sobjects/...` is not accepted
/// by Salesforce, so neither is it here).
pub(crate) fn split_data_path(path: &str) -> Option<(String, Vec<String>)> {
    let path = path.split('?').next().unwrap_or_default();
    let rest = path.strip_prefix("/services/data/")?;
    let mut parts = rest.split('/').filter(|s| !s.is_empty());
    let version = parts.next()?.to_string();
    if !version.starts_with('v') {
        return None;
    }
    Some((version, parts.map(percent_decode).collect()))
}

/// The decoded value of query parameter `name` in `url` (`+` is a space there).
pub(crate) fn query_param(url: &str, name: &str) -> Option<String> {
    let (_, query) = url.split_once('?')?;
    query.split('&').find_map(|pair| {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        (percent_decode(key) == name).then(|| percent_decode(&value.replace('+', " ")))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_and_decodes() {
        let (v, segs) =
            split_data_path("/services/data/v62.0/sobjects/Account/Ext__c/a%20b%2Fc?x=1").unwrap();
        assert_eq!(v, "v62.0");
        assert_eq!(segs, ["sobjects", "Account", "Ext__c", "a b/c"]);
        assert!(split_data_path("/services/other").is_none());
    }

    #[test]
    fn reads_query_parameters() {
        let url = "/services/data/v62.0/query/?q=SELECT+Id%2C+Name+FROM+Account&x=1";
        assert_eq!(
            query_param(url, "q").as_deref(),
            Some("SELECT Id, Name FROM Account")
        );
        assert_eq!(query_param(url, "y"), None);
    }
}

//! The one CSV field splitter every reader of CSV text shares (archives, port
//! and sanctions lists, satellite detections).

/// Splits a CSV line into fields: double quotes protect commas and `""` is a
/// quote inside them; a trailing line terminator is ignored.
pub fn split_quoted(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut chars = line.trim_end_matches(['\r', '\n']).chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                cur.push('"');
                chars.next();
            }
            '"' => quoted = !quoted,
            ',' if !quoted => out.push(std::mem::take(&mut cur)),
            _ => cur.push(c),
        }
    }
    out.push(cur);
    out
}

#[cfg(test)]
mod tests {
    use super::split_quoted;

    #[test]
    fn quotes_protect_commas_and_double_quotes_escape() {
        assert_eq!(split_quoted("a,\"b,c\",\"say \"\"hi\"\"\",\r\n"), vec!["a", "b,c", "say \"hi\"", ""]);
        assert_eq!(split_quoted(""), vec![""]);
    }
}

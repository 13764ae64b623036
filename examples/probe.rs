use std::io::BufRead;
fn main() {
    let server = rayforce::LocalServer::start().unwrap();
    let mut c = server.client().unwrap();
    for line in std::io::stdin().lock().lines() {
        let line = line.unwrap();
        if line.is_empty() {
            continue;
        }
        match c.execute(line.as_str()) {
            Ok(v) => println!("{line}  =>  {v:?}"),
            Err(e) => {
                println!("{line}  =>  ERR {e}");
                if !c.is_alive() {
                    c = server.client().unwrap();
                }
            }
        }
    }
}

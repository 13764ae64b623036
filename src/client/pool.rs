//! A thread-safe pool of clients through the `r2d2` crate (feature `r2d2`): an
//! [`r2d2::ManageConnection`] adapter that opens clients from a [`ClientBuilder`] and
//! replaces dead ones.

use super::{Client, ClientBuilder};
use crate::{Error, Value};

/// Opens pooled clients; checks them with a cheap query and drops dead ones.
///
/// ```no_run
/// use rayforce_client::client::{ClientManager, Client};
/// let manager = ClientManager::new(Client::builder("127.0.0.1", 5000));
/// let pool = r2d2::Pool::builder().max_size(8).build(manager)?;
/// let mut client = pool.get()?;
/// let three = client.execute("(+ 1 2)")?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug)]
pub struct ClientManager {
    builder: ClientBuilder,
}

impl ClientManager {
    /// A manager that opens clients with `builder`'s settings.
    pub fn new(builder: ClientBuilder) -> ClientManager {
        ClientManager { builder }
    }
}

impl r2d2::ManageConnection for ClientManager {
    type Connection = Client;
    type Error = Error;

    fn connect(&self) -> Result<Client, Error> {
        self.builder.clone().connect()
    }

    fn is_valid(&self, client: &mut Client) -> Result<(), Error> {
        match client.execute(&Value::I64(1))? {
            Value::I64(1) => Ok(()),
            other => Err(Error::TypeMismatch {
                expected: "1".into(),
                actual: other.kind_name(),
            }),
        }
    }

    fn has_broken(&self, client: &mut Client) -> bool {
        !client.is_alive()
    }
}

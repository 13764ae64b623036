//! Typed rows on a [`Client`]: fetch results as `Vec<T>`, decode single values, insert and
//! upsert slices of structs (typed by the server's own schema), and verify a `RayTable`.

use super::{Client, Request};
use crate::query::Table;
use crate::typed::{self, RayTable};
use crate::value::Type;
use crate::{ColumnMismatch, Error, Result, Value};
use serde::de::DeserializeOwned;
use serde::Serialize;

impl Client {
    /// Runs a query and decodes the result table's rows into `T` by column name, after
    /// checking `T` against the columns (every mismatch reported at once).
    ///
    /// ```no_run
    /// # use rayforce::{Client, query::{col, Table}};
    /// #[derive(serde::Deserialize)]
    /// struct Emp { id: i64, name: String, salary: f64 }
    /// let mut client = Client::connect("127.0.0.1", 5000)?;
    /// let rich: Vec<Emp> = client.fetch(&Table::named("employees").filter(col("salary").gt(100.0)))?;
    /// # Ok::<(), rayforce::Error>(())
    /// ```
    pub fn fetch<T: DeserializeOwned, Q: Request + ?Sized>(&mut self, query: &Q) -> Result<Vec<T>> {
        match self.execute(query)? {
            Value::Table(t) => typed::rows(&t),
            other => Err(Error::TypeMismatch {
                expected: "a table".into(),
                actual: other.kind_name(),
            }),
        }
    }

    /// Runs a query and decodes the result table into a `#[derive(RayTable)]` struct,
    /// column by column (faster than [`fetch`](Self::fetch), which goes through serde).
    ///
    /// ```no_run
    /// # use rayforce::{Client, typed::RayTable};
    /// #[derive(RayTable)]
    /// #[rayforce(table = "employees")]
    /// struct Emp { id: i64, name: String, salary: f64 }
    /// let mut client = Client::connect("127.0.0.1", 5000)?;
    /// let rich: Vec<Emp> = client.fetch_rows(&Emp::table().filter(Emp::salary().gt(100.0)))?;
    /// # Ok::<(), rayforce::Error>(())
    /// ```
    pub fn fetch_rows<T: RayTable, Q: Request + ?Sized>(&mut self, query: &Q) -> Result<Vec<T>> {
        match self.execute(query)? {
            Value::Table(t) => T::from_table(&t),
            other => Err(Error::TypeMismatch {
                expected: "a table".into(),
                actual: other.kind_name(),
            }),
        }
    }

    /// Runs a query and decodes its result into `T`: an atom into a scalar, a one-row table
    /// into a struct (or a scalar when it has one column), a vector into a `Vec`.
    pub fn execute_as<T: DeserializeOwned, Q: Request + ?Sized>(&mut self, query: &Q) -> Result<T> {
        typed::value(&self.execute(query)?)
    }

    /// The column names and types of a server table (an empty select, one round trip).
    pub fn table_schema(&mut self, table: &str) -> Result<Vec<(String, Option<Type>)>> {
        let empty = Table::named(table).select(Vec::<&str>::new()).limit(0);
        let t = match self.execute(&empty)? {
            Value::Table(t) => t,
            other => {
                return Err(Error::TypeMismatch {
                    expected: format!("table `{table}`"),
                    actual: other.kind_name(),
                })
            }
        };
        Ok(t.names()
            .iter_lossy()
            .zip(t.columns())
            .map(|(n, c)| (n.into_owned(), c.elem_type()))
            .collect())
    }

    /// Appends rows to a server table, each field converted to its column's type (the
    /// table's schema is read first). An empty slice does nothing.
    pub fn insert_rows<T: Serialize>(&mut self, table: &str, rows: &[T]) -> Result<()> {
        if rows.is_empty() {
            return Ok(());
        }
        let schema = self.table_schema(table)?;
        let columns = typed::columns(rows, Some(&schema))?;
        self.execute(&Table::named(table).insert().values(columns))?;
        Ok(())
    }

    /// Upserts rows keyed on the table's first `key_columns` columns.
    pub fn upsert_rows<T: Serialize>(
        &mut self,
        table: &str,
        key_columns: i64,
        rows: &[T],
    ) -> Result<()> {
        if rows.is_empty() {
            return Ok(());
        }
        let schema = self.table_schema(table)?;
        let columns = typed::columns(rows, Some(&schema))?;
        self.execute(&Table::named(table).upsert(key_columns).values(columns))?;
        Ok(())
    }

    /// Compares `T`'s declared columns with the server's table; every difference in names
    /// or types is reported in one [`Error::Schema`].
    pub fn verify<T: RayTable>(&mut self) -> Result<()> {
        let schema = self.table_schema(T::TABLE)?;
        let mut mismatches = Vec::new();
        for c in T::COLUMNS {
            let expected =
                c.ty.map(|t| t.name().to_string())
                    .unwrap_or_else(|| "LIST".into());
            match schema.iter().find(|(n, _)| n == c.name) {
                None => mismatches.push(ColumnMismatch {
                    column: c.name.to_string(),
                    expected,
                    actual: "missing".into(),
                }),
                Some((_, actual)) if *actual != c.ty => mismatches.push(ColumnMismatch {
                    column: c.name.to_string(),
                    expected,
                    actual: actual
                        .map(|t| t.name().to_string())
                        .unwrap_or_else(|| "LIST".into()),
                }),
                Some(_) => {}
            }
        }
        if mismatches.is_empty() {
            Ok(())
        } else {
            Err(Error::Schema { mismatches })
        }
    }
}

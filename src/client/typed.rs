//! Typed rows on both clients: fetch results as `Vec<T>`, decode single values, insert and
//! upsert slices of structs (typed by the server's own schema), and verify a `RayTable`.
//!
//! Each operation is written once, as pure steps around one or two requests ([`ops`]);
//! [`Client`] and [`AsyncClient`](super::AsyncClient) only run those requests.

use super::{Client, Request};
use crate::typed::{FromTable, RayTable};
use crate::value::Type;
use crate::Result;
use serde::de::DeserializeOwned;
use serde::Serialize;

/// A table's column names and types.
pub type Schema = Vec<(String, Option<Type>)>;

/// The pure halves of the typed operations, shared by both clients.
pub(super) mod ops {
    use super::Schema;
    use crate::query::{InsertQuery, SelectQuery, TableRef, UpsertQuery};
    use crate::typed::{self, RayTable};
    use crate::{ColumnMismatch, Error, Result, Value};
    use serde::Serialize;

    /// The table a query answered, or a type error.
    pub fn table(v: Value) -> Result<crate::value::Table> {
        match v {
            Value::Table(t) => Ok(t),
            other => Err(Error::TypeMismatch {
                expected: "a table".into(),
                actual: other.kind_name(),
            }),
        }
    }

    /// The query that reads a table's schema: an empty select (one round trip).
    pub fn schema_query(table: &str) -> SelectQuery {
        TableRef::named(table).select(Vec::<&str>::new()).limit(0)
    }

    /// The schema from [`schema_query`]'s answer.
    pub fn schema(v: Value, table: &str) -> Result<Schema> {
        let t = match v {
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

    /// The insert of `rows`, each field converted to its column's type in `schema`.
    pub fn insert<T: Serialize>(table: &str, rows: &[T], schema: &Schema) -> Result<InsertQuery> {
        let columns = typed::columns(rows, Some(schema))?;
        Ok(TableRef::named(table).insert().values(columns))
    }

    /// The upsert of `rows` keyed on the first `key_columns` columns.
    pub fn upsert<T: Serialize>(
        table: &str,
        key_columns: i64,
        rows: &[T],
        schema: &Schema,
    ) -> Result<UpsertQuery> {
        let columns = typed::columns(rows, Some(schema))?;
        Ok(TableRef::named(table).upsert(key_columns).values(columns))
    }

    /// The only row of `rows`, or an error naming how many there were.
    pub fn only<T>(mut rows: Vec<T>) -> Result<T> {
        match rows.len() {
            1 => Ok(rows.pop().expect("one row")),
            n => Err(Error::Row(format!("expected exactly one row, got {n}"))),
        }
    }

    /// The values of a one-column result (a table with one column, or a vector or list),
    /// decoded into `T` each.
    pub fn column<T: serde::de::DeserializeOwned>(v: Value) -> Result<Vec<T>> {
        let column = match v {
            Value::Table(t) if t.num_columns() == 1 => t.columns()[0].clone(),
            Value::Table(t) => {
                return Err(Error::Row(format!(
                    "expected one column, got {}",
                    t.num_columns()
                )))
            }
            other => other,
        };
        crate::typed::value(&column)
    }

    /// The row of `rows` if there is one; more than one is an error.
    pub fn at_most_one<T>(mut rows: Vec<T>) -> Result<Option<T>> {
        match rows.len() {
            0 | 1 => Ok(rows.pop()),
            n => Err(Error::Row(format!("expected at most one row, got {n}"))),
        }
    }

    /// The request that lists the server's tables: the names in its global environment
    /// (`env 0`) whose value is a table, evaluated on the server (no table travels).
    pub fn tables_query() -> &'static str {
        "((fn [e] (filter (key e) (== (map type (value e)) 'TABLE))) (env 0))"
    }

    /// The table names from [`tables_query`]'s answer, sorted.
    pub fn tables(v: Value) -> Result<Vec<String>> {
        let mut names: Vec<String> = match v {
            Value::Vector(crate::Vector::Symbol(names)) => {
                names.iter_lossy().map(|n| n.into_owned()).collect()
            }
            Value::List(items) if items.is_empty() => Vec::new(),
            other => {
                return Err(Error::TypeMismatch {
                    expected: "a symbol vector of table names".into(),
                    actual: other.kind_name(),
                })
            }
        };
        names.sort();
        Ok(names)
    }

    /// The request for the server's build information (`.sys.build`).
    pub fn version_query() -> &'static str {
        "(.sys.build)"
    }

    /// The `version` entry of [`version_query`]'s answer.
    pub fn version(v: Value) -> Result<String> {
        let missing = |actual: String| Error::TypeMismatch {
            expected: "a dict with a `version` string".into(),
            actual,
        };
        match v {
            Value::Dict(d) => match d.get("version") {
                Some(Value::Str(text)) => Ok(text.to_string()),
                Some(other) => Err(missing(other.kind_name())),
                None => Err(missing("a dict without `version`".into())),
            },
            other => Err(missing(other.kind_name())),
        }
    }

    /// Every difference between `T`'s declared columns and `schema`, in one error.
    pub fn verify<T: RayTable>(schema: &Schema) -> Result<()> {
        let name = |t: Option<crate::value::Type>| {
            t.map(|t| t.name().to_string())
                .unwrap_or_else(|| "LIST".into())
        };
        let mut mismatches = Vec::new();
        for c in T::COLUMNS {
            match schema.iter().find(|(n, _)| n == c.name) {
                None => mismatches.push(ColumnMismatch {
                    column: c.name.to_string(),
                    expected: name(c.ty),
                    actual: "missing".into(),
                }),
                Some((_, actual)) if *actual != c.ty => mismatches.push(ColumnMismatch {
                    column: c.name.to_string(),
                    expected: name(c.ty),
                    actual: name(*actual),
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

impl Client {
    /// Runs a query and decodes the result table's rows into `T`: a
    /// `#[derive(RayTable)]` struct (column-wise, the fast path), a
    /// `#[derive(Deserialize, FromTable)]` struct (through serde, fields by name) or a tuple
    /// (columns by position). `T` is checked against the columns first, every mismatch
    /// reported at once.
    ///
    /// ```no_run
    /// # use rayforce_client::{Client, query::{col, TableRef}, typed::RayTable};
    /// #[derive(RayTable)]
    /// #[rayforce(table = "employees")]
    /// struct Emp { id: i64, name: String, salary: f64 }
    /// let mut client = Client::connect("127.0.0.1", 5000)?;
    /// let rich: Vec<Emp> = client.fetch_all(&Emp::table().filter(Emp::salary().gt(100.0)))?;
    /// let pairs: Vec<(String, f64)> =
    ///     client.fetch_all(&TableRef::named("employees").select(["name", "salary"]))?;
    /// # Ok::<(), rayforce_client::Error>(())
    /// ```
    pub fn fetch_all<T: FromTable, Q: Request + ?Sized>(&mut self, query: &Q) -> Result<Vec<T>> {
        T::from_table(&ops::table(self.execute(query)?)?)
    }

    /// As [`fetch_all`](Self::fetch_all), into the caller's vector (cleared first, its
    /// memory reused): a query run again and again writes its rows into memory that is
    /// already allocated. The client also keeps the decoded columns of the last reply
    /// decoded this way and reads the next one into them ([`execute_into`](Self::execute_into));
    /// [`release_buffers`](Self::release_buffers) frees them.
    ///
    /// ```no_run
    /// # use rayforce_client::{Client, typed::{RayTable, Sym}};
    /// #[derive(RayTable)]
    /// #[rayforce(table = "quotes")]
    /// struct Quote { sym: Sym, bid: f64, ask: f64 }
    /// let mut client = Client::connect("127.0.0.1", 5000)?;
    /// let mut quotes: Vec<Quote> = Vec::new();
    /// for _ in 0..10 {
    ///     client.fetch_all_into(&Quote::table().select_all(), &mut quotes)?;
    /// }
    /// # Ok::<(), rayforce_client::Error>(())
    /// ```
    pub fn fetch_all_into<T: FromTable, Q: Request + ?Sized>(
        &mut self,
        query: &Q,
        out: &mut Vec<T>,
    ) -> Result<()> {
        out.clear();
        let mut scratch = std::mem::replace(&mut self.rows_scratch, crate::Value::Null);
        let result = self.execute_into(query, &mut scratch);
        let result = result.and_then(|()| match &scratch {
            crate::Value::Table(t) => T::extend_from_table(t, out),
            other => Err(crate::Error::TypeMismatch {
                expected: "a table".into(),
                actual: other.kind_name(),
            }),
        });
        self.rows_scratch = scratch;
        result
    }

    /// Frees the decoded columns [`fetch_all_into`](Self::fetch_all_into) keeps for reuse.
    pub fn release_buffers(&mut self) {
        self.rows_scratch = crate::Value::Null;
    }

    /// Runs a query whose result has exactly one row and decodes it into `T`; zero or
    /// several rows are an [`Error::Row`](crate::Error::Row).
    pub fn fetch_one<T: FromTable, Q: Request + ?Sized>(&mut self, query: &Q) -> Result<T> {
        ops::only(self.fetch_all(query)?)
    }

    /// Runs a query whose result has at most one row: `None` when it has none.
    pub fn fetch_optional<T: FromTable, Q: Request + ?Sized>(
        &mut self,
        query: &Q,
    ) -> Result<Option<T>> {
        ops::at_most_one(self.fetch_all(query)?)
    }

    /// Runs a query whose result is one column (or a vector) and decodes its values:
    /// `fetch_column::<f64>("(at trades 'price)")`. For fixed-width columns kept across
    /// calls see [`fetch_column_into`](Self::fetch_column_into).
    pub fn fetch_column<T: DeserializeOwned, Q: Request + ?Sized>(
        &mut self,
        query: &Q,
    ) -> Result<Vec<T>> {
        ops::column(self.execute(query)?)
    }

    /// Runs a query and decodes its result, whatever its shape, into `T` through serde: an
    /// atom into a scalar, a dict into a map or struct, a one-row table into a struct (or a
    /// scalar when it has one column), a vector into a `Vec`.
    ///
    /// ```no_run
    /// # use rayforce_client::Client;
    /// let mut client = Client::connect("127.0.0.1", 5000)?;
    /// let n: i64 = client.fetch_value("(count trades)")?;
    /// # Ok::<(), rayforce_client::Error>(())
    /// ```
    pub fn fetch_value<T: DeserializeOwned, Q: Request + ?Sized>(
        &mut self,
        query: &Q,
    ) -> Result<T> {
        crate::typed::value(&self.execute(query)?)
    }

    /// The column names and types of a server table (an empty select, one round trip).
    pub fn table_schema(&mut self, table: &str) -> Result<Schema> {
        ops::schema(self.execute(&ops::schema_query(table))?, table)
    }

    /// Appends rows to a server table, each field converted to its column's type (the
    /// table's schema is read first). An empty slice does nothing.
    pub fn insert_rows<T: Serialize>(&mut self, table: &str, rows: &[T]) -> Result<()> {
        if rows.is_empty() {
            return Ok(());
        }
        let schema = self.table_schema(table)?;
        self.execute(&ops::insert(table, rows, &schema)?)?;
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
        self.execute(&ops::upsert(table, key_columns, rows, &schema)?)?;
        Ok(())
    }

    /// Compares `T`'s declared columns with the server's table; every difference in names
    /// or types is reported in one [`Error::Schema`](crate::Error::Schema).
    pub fn verify<T: RayTable>(&mut self) -> Result<()> {
        ops::verify::<T>(&self.table_schema(T::TABLE)?)
    }

    /// The names of the tables in the server's global environment, sorted.
    pub fn tables(&mut self) -> Result<Vec<String>> {
        ops::tables(self.execute(ops::tables_query())?)
    }

    /// The server's core version (`.sys.build`; `"3.0.1"` for the binary in rayforce-py
    /// 2.4.0).
    pub fn server_version(&mut self) -> Result<String> {
        ops::version(self.execute(ops::version_query())?)
    }
}

#[cfg(feature = "tokio")]
impl super::AsyncClient {
    /// As [`Client::fetch_all`].
    pub async fn fetch_all<T: FromTable, Q: Request + ?Sized>(&self, query: &Q) -> Result<Vec<T>> {
        T::from_table(&ops::table(self.execute(query).await?)?)
    }

    /// As [`Client::fetch_all_into`]: the rows go into the caller's vector (cleared first,
    /// its memory reused); the reply itself is decoded into fresh columns.
    pub async fn fetch_all_into<T: FromTable, Q: Request + ?Sized>(
        &self,
        query: &Q,
        out: &mut Vec<T>,
    ) -> Result<()> {
        out.clear();
        T::extend_from_table(&ops::table(self.execute(query).await?)?, out)
    }

    /// As [`Client::fetch_one`].
    pub async fn fetch_one<T: FromTable, Q: Request + ?Sized>(&self, query: &Q) -> Result<T> {
        ops::only(self.fetch_all(query).await?)
    }

    /// As [`Client::fetch_optional`].
    pub async fn fetch_optional<T: FromTable, Q: Request + ?Sized>(
        &self,
        query: &Q,
    ) -> Result<Option<T>> {
        ops::at_most_one(self.fetch_all(query).await?)
    }

    /// As [`Client::fetch_column`].
    pub async fn fetch_column<T: DeserializeOwned, Q: Request + ?Sized>(
        &self,
        query: &Q,
    ) -> Result<Vec<T>> {
        ops::column(self.execute(query).await?)
    }

    /// As [`Client::fetch_value`].
    pub async fn fetch_value<T: DeserializeOwned, Q: Request + ?Sized>(
        &self,
        query: &Q,
    ) -> Result<T> {
        crate::typed::value(&self.execute(query).await?)
    }

    /// As [`Client::table_schema`].
    pub async fn table_schema(&self, table: &str) -> Result<Schema> {
        ops::schema(self.execute(&ops::schema_query(table)).await?, table)
    }

    /// As [`Client::insert_rows`].
    pub async fn insert_rows<T: Serialize>(&self, table: &str, rows: &[T]) -> Result<()> {
        if rows.is_empty() {
            return Ok(());
        }
        let schema = self.table_schema(table).await?;
        self.execute(&ops::insert(table, rows, &schema)?).await?;
        Ok(())
    }

    /// As [`Client::upsert_rows`].
    pub async fn upsert_rows<T: Serialize>(
        &self,
        table: &str,
        key_columns: i64,
        rows: &[T],
    ) -> Result<()> {
        if rows.is_empty() {
            return Ok(());
        }
        let schema = self.table_schema(table).await?;
        self.execute(&ops::upsert(table, key_columns, rows, &schema)?)
            .await?;
        Ok(())
    }

    /// As [`Client::verify`].
    pub async fn verify<T: RayTable>(&self) -> Result<()> {
        ops::verify::<T>(&self.table_schema(T::TABLE).await?)
    }

    /// As [`Client::tables`].
    pub async fn tables(&self) -> Result<Vec<String>> {
        ops::tables(self.execute(ops::tables_query()).await?)
    }

    /// As [`Client::server_version`].
    pub async fn server_version(&self) -> Result<String> {
        ops::version(self.execute(ops::version_query()).await?)
    }
}

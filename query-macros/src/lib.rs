//! `#[derive(RayTable)]` for the `rayforce-client` crate.
//!
//! On a struct with named fields it implements `rayforce_client::typed::RayTable` (table name and
//! column list with Rayforce types) and generates one typed column handle per field
//! (`Employee::salary()`, a `Column<Employee, f64>`) plus `Employee::table()`.
//!
//! Attributes:
//! * `#[rayforce(table = "employees")]` on the struct: the server-side table name
//!   (default: the struct name in lower case).
//! * `#[rayforce(rename = "col")]` on a field: the column's name on the server.
//! * `#[rayforce(string)]` on a `String` field: a STR column instead of a SYMBOL column.

use proc_macro::TokenStream;
use quote::{format_ident, quote};
use syn::{parse_macro_input, Data, DeriveInput, Fields, LitStr};

/// Derives `rayforce_client::typed::RayTable`; see the crate documentation for the attributes.
#[proc_macro_derive(RayTable, attributes(rayforce))]
pub fn derive_ray_table(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    match expand(&input) {
        Ok(tokens) => tokens.into(),
        Err(e) => e.to_compile_error().into(),
    }
}

/// Derives `rayforce_client::typed::FromTable` for a serde `Deserialize` struct: its rows
/// are decoded through serde, fields matched to columns by name (aliases, `rename_all`,
/// `flatten` and custom field types work). `#[derive(RayTable)]` implements `FromTable`
/// itself, column-wise; do not derive both.
#[proc_macro_derive(FromTable)]
pub fn derive_from_table(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    let name = &input.ident;
    let mut generics = input.generics.clone();
    generics
        .make_where_clause()
        .predicates
        .push(syn::parse_quote!(Self: ::rayforce_client::__private::DeserializeOwned));
    let (impl_generics, ty_generics, where_clause) = generics.split_for_impl();
    quote! {
        impl #impl_generics ::rayforce_client::typed::FromTable for #name #ty_generics #where_clause {
            fn extend_from_table(
                table: &::rayforce_client::value::Table,
                out: &mut ::std::vec::Vec<Self>,
            ) -> ::rayforce_client::Result<()> {
                ::rayforce_client::__private::serde_rows_into(table, out)
            }
        }
    }
    .into()
}

fn expand(input: &DeriveInput) -> syn::Result<proc_macro2::TokenStream> {
    let name = &input.ident;
    if !input.generics.params.is_empty() {
        return Err(syn::Error::new_spanned(
            &input.generics,
            "RayTable cannot be derived for generic structs",
        ));
    }
    let mut table = name.to_string().to_lowercase();
    for attr in input.attrs.iter().filter(|a| a.path().is_ident("rayforce")) {
        attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("table") {
                table = meta.value()?.parse::<LitStr>()?.value();
                Ok(())
            } else {
                Err(meta.error("unknown rayforce attribute; expected `table = \"…\"`"))
            }
        })?;
    }
    let fields = match &input.data {
        Data::Struct(s) => match &s.fields {
            Fields::Named(f) => &f.named,
            _ => {
                return Err(syn::Error::new_spanned(
                    name,
                    "RayTable needs a struct with named fields",
                ))
            }
        },
        _ => {
            return Err(syn::Error::new_spanned(
                name,
                "RayTable can only be derived for structs",
            ))
        }
    };
    let mut defs = Vec::new();
    let mut handles = Vec::new();
    let mut checks = Vec::new();
    let mut lookups = Vec::new();
    let mut inits = Vec::new();
    let mut builds = Vec::new();
    let mut has_table_field = false;
    for field in fields {
        let ident = field.ident.as_ref().expect("named field");
        let ty = &field.ty;
        let field_name = ident.to_string().trim_start_matches("r#").to_string();
        let mut column = field_name.clone();
        let mut string = false;
        for attr in field.attrs.iter().filter(|a| a.path().is_ident("rayforce")) {
            attr.parse_nested_meta(|meta| {
                if meta.path.is_ident("rename") {
                    column = meta.value()?.parse::<LitStr>()?.value();
                    Ok(())
                } else if meta.path.is_ident("string") {
                    string = true;
                    Ok(())
                } else {
                    Err(meta
                        .error("unknown rayforce attribute; expected `rename = \"…\"` or `string`"))
                }
            })?;
        }
        if field_name == "table" {
            has_table_field = true;
        }
        let col_ty = if string {
            quote!(::core::option::Option::Some(::rayforce_client::Type::Str))
        } else {
            quote!(<#ty as ::rayforce_client::typed::ColumnValue>::TYPE)
        };
        let col_var = format_ident!("__column_{}", field_name);
        checks.push(quote! {
            ::rayforce_client::__private::check_field::<#ty>(
                table, #column, #field_name, #col_ty, <#ty as ::rayforce_client::typed::ColumnValue>::NULLABLE, &mut mismatches,
            );
        });
        lookups.push(quote! {
            let mut #col_var = ::rayforce_client::__private::field_reader::<#ty>(table, #column, #field_name)?;
        });
        inits.push(quote! {
            #ident: ::rayforce_client::__private::cell::<#ty>(&mut #col_var, row, #column)?
        });
        builds.push(quote! {
            (
                ::std::string::String::from(#column),
                ::rayforce_client::__private::collect_field::<#ty>(rows.iter().map(|r| &r.#ident), rows.len(), #col_ty, #column)?,
            )
        });
        defs.push(quote! {
            ::rayforce_client::typed::ColumnDef {
                name: #column,
                field: #field_name,
                ty: #col_ty,
                nullable: <#ty as ::rayforce_client::typed::ColumnValue>::NULLABLE,
            }
        });
        let doc = format!(
            "The `{column}` column of `{table}`, holding `{}` values.",
            quote!(#ty)
        );
        let handle = format_ident!("{}", field_name);
        handles.push(quote! {
            #[doc = #doc]
            #[allow(dead_code, clippy::self_named_constructors)]
            pub fn #handle() -> ::rayforce_client::typed::Column<#name, #ty> {
                ::rayforce_client::typed::Column::new(#column)
            }
        });
    }
    let table_fn = if has_table_field {
        quote!()
    } else {
        quote! {
            /// The typed entry point for queries on this table.
            #[allow(dead_code)]
            pub fn table() -> ::rayforce_client::typed::TypedTable<#name> {
                <#name as ::rayforce_client::typed::RayTable>::table()
            }
        }
    };
    Ok(quote! {
        impl ::rayforce_client::typed::FromTable for #name {
            fn extend_from_table(
                table: &::rayforce_client::value::Table,
                out: &mut ::std::vec::Vec<Self>,
            ) -> ::rayforce_client::Result<()> {
                let mut mismatches = ::std::vec::Vec::new();
                #(#checks)*
                if !mismatches.is_empty() {
                    return ::core::result::Result::Err(::rayforce_client::Error::Schema { mismatches });
                }
                #(#lookups)*
                ::rayforce_client::__private::fill_rows(out, table.num_rows(), |row| {
                    ::core::result::Result::Ok(#name { #(#inits),* })
                })
            }
        }

        impl ::rayforce_client::typed::RayTable for #name {
            const TABLE: &'static str = #table;
            const COLUMNS: &'static [::rayforce_client::typed::ColumnDef] = &[#(#defs),*];

            fn to_columns(rows: &[Self]) -> ::rayforce_client::Result<::std::vec::Vec<(::std::string::String, ::rayforce_client::Value)>> {
                ::core::result::Result::Ok(::std::vec![#(#builds),*])
            }
        }
        impl #name {
            #table_fn
            #(#handles)*
        }
    })
}

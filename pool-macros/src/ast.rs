//! A small typed view of the derive input: the shape, the fields and their
//! parsed `#[pooled(...)]` attributes, borrowing from `syn`.

use proc_macro2::Span;
use syn::spanned::Spanned;
use syn::{Data, DeriveInput, Fields, Generics, Ident, Index, Member, Type};

use crate::attr::{self, ContainerAttrs, Errors, FieldAttrs};

/// Which derive is expanding; they share the attribute namespace but not
/// every key means something to both.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Derive {
    Reset,
    Pooled,
}

impl Derive {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Derive::Reset => "`#[derive(Reset)]`",
            Derive::Pooled => "`#[derive(Pooled)]`",
        }
    }
}

pub(crate) struct Input<'a> {
    pub(crate) ident: &'a Ident,
    pub(crate) generics: &'a Generics,
    pub(crate) attrs: ContainerAttrs,
    pub(crate) shape: Shape,
    /// For a struct, its fields in order. For an enum or a union, the fields of
    /// every variant: only their types matter there (the `Send` checks of a
    /// pool whose `Reset` is written by hand).
    pub(crate) fields: Vec<Field<'a>>,
}

/// The item kind, with the span of its keyword for errors about it.
pub(crate) enum Shape {
    Struct,
    Enum(Span),
    Union(Span),
}

pub(crate) struct Field<'a> {
    pub(crate) member: Member,
    pub(crate) ty: &'a Type,
    pub(crate) attrs: FieldAttrs,
}

impl<'a> Input<'a> {
    pub(crate) fn from_syn(input: &'a DeriveInput, errors: &mut Errors) -> Self {
        let attrs = attr::container(&input.attrs, errors);
        let (shape, fields) = match &input.data {
            Data::Struct(data) => (Shape::Struct, Field::all(&data.fields, errors)),
            Data::Enum(data) => {
                let mut fields = Vec::new();
                for variant in &data.variants {
                    attr::variant(&variant.attrs, errors);
                    fields.extend(Field::all(&variant.fields, errors));
                }
                (Shape::Enum(data.enum_token.span), fields)
            }
            Data::Union(data) => {
                let fields = data.fields.named.iter().enumerate();
                let fields = fields.map(|(i, f)| Field::from_syn(i, f, errors)).collect();
                (Shape::Union(data.union_token.span), fields)
            }
        };
        Input {
            ident: &input.ident,
            generics: &input.generics,
            attrs,
            shape,
            fields,
        }
    }
}

impl<'a> Field<'a> {
    fn all(fields: &'a Fields, errors: &mut Errors) -> Vec<Self> {
        let fields = fields.iter().enumerate();
        fields.map(|(i, f)| Field::from_syn(i, f, errors)).collect()
    }

    fn from_syn(index: usize, field: &'a syn::Field, errors: &mut Errors) -> Self {
        let member = match &field.ident {
            Some(ident) => Member::Named(ident.clone()),
            None => {
                let mut index = Index::from(index);
                index.span = field.ty.span();
                Member::Unnamed(index)
            }
        };
        Field {
            member,
            ty: &field.ty,
            attrs: attr::field(&field.attrs, errors),
        }
    }
}

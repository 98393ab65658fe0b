/*
 * svgcheck.h -- what the unit tests of server-drawn SVG check alike: strict
 * UTF-8, a small well-formedness scan against allow-lists of elements and
 * attributes, and no event-handler attribute.
 */
#ifndef PROOFLINE_SVGCHECK_H
#define PROOFLINE_SVGCHECK_H

#include <stddef.h>

/* Strict UTF-8: no overlong forms, surrogates, or values past U+10FFFF. */
int svgcheck_utf8(const unsigned char *p, size_t n);

/* One root <svg>, balanced tags from ok_elems, unique attributes from
 * ok_attrs with double-quoted values, text and values free of '<' and '>'
 * with only known entities (NULL-terminated lists).  Counts elements in
 * *nelems.  NULL when well-formed, else what is wrong. */
const char *svgcheck_xml(const char *p, const char *const *ok_elems,
                         const char *const *ok_attrs, size_t *nelems);

/* ` on…="` as an attribute, the way an event handler would appear. */
int svgcheck_event_attr(const char *p);

#endif

/*
 * hanzi.h -- Chinese names as a rep says or types them: folded text,
 * the core of an organisation's name, and pinyin initials.
 *
 * Used to match a dictated note against customer names ("仁和" or "rhyy"
 * for 北京仁和医院有限公司).  Everything here works on UTF-8 with its
 * length and writes into caller buffers; nothing allocates.
 */
#ifndef PROOFLINE_HANZI_H
#define PROOFLINE_HANZI_H

#include <stdbool.h>
#include <stddef.h>

#include "base/str.h"

/* Fold s for matching into out (cap bytes, NUL-terminated): ASCII letters
 * lower-cased, full-width letters and digits made ASCII, spaces and
 * punctuation (ASCII and CJK) dropped, other characters kept.  Invalid
 * UTF-8 is dropped.  Returns the bytes written (a whole character never
 * cut). */
size_t hanzi_fold(struct str s, char *out, size_t cap);

/* The parts of a folded organisation name: city is a leading province or
 * city ("北京", "广东省深圳市" -> its last city, "深圳"), suffix the
 * trailing kinds taken off ("医院有限公司" for "...医院有限公司"), core
 * what is left ("仁和").  All three point into folded.  When taking them
 * off would leave fewer than two characters, core is the whole name
 * without its city. */
struct hanzi_name {
    struct str city;
    struct str nocity; /* folded without the city */
    struct str core;
    struct str suffix;
};
void hanzi_name_parts(struct str folded, struct hanzi_name *out);

/* The length of the kind word (医院, 药房, 有限公司 ...; not the
 * one-character 店) s (folded) begins with, else 0. */
size_t hanzi_suffix_start(struct str s);

/* The city name s (folded) ends with, if any (its length, else 0). */
size_t hanzi_city_suffix_len(struct str s);

/* The number of characters (code points) in valid UTF-8 s. */
size_t hanzi_chars(struct str s);

/* Pinyin initials of s into out (cap bytes, NUL-terminated): ASCII
 * letters and digits kept (lower case), each hanzi of GB2312 level 1
 * (the 3755 common ones, which GB2312 orders by pinyin) its initial
 * letter, spaces and punctuation skipped.  A hanzi outside level 1 has no
 * initial here (level 2 is ordered by radical): the whole result is then
 * empty (false), never a partial string that could match another name.
 * Polyphonic hanzi get the initial of their first reading in GB2312. */
bool hanzi_initials(struct str s, char *out, size_t cap);

#endif

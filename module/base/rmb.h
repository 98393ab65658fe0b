/*
 * rmb.h -- an amount of yuan written in Chinese capital numerals
 * (人民币大写), as contracts and invoices state it beside the figures:
 * 120000.00 -> 壹拾贰万元整, 1000010.20 -> 壹佰万零壹拾元贰角, 0.05 -> 伍分.
 *
 * The rules followed: digits 零壹贰叁肆伍陆柒捌玖 with 拾佰仟 inside a
 * group of four and 万, 亿, 万亿 between groups; 壹拾 is written in full;
 * one 零 stands for any run of zeros inside the number (zeros at the end
 * of a group are not spoken); 元 ends the whole yuan, 整 follows when
 * there are no jiao and fen; a zero jiao before a fen is 零 ("壹元零伍分");
 * nothing but the fraction when there is no whole yuan ("伍分"); zero is
 * 零元整.
 */
#ifndef PROOFLINE_RMB_H
#define PROOFLINE_RMB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The largest amount written: 9999 万亿 yuan and 99 fen, in fen. */
#define RMB_CENTS_MAX ((int64_t)9999999999999999 * 100 + 99)
/* Bytes the longest text takes, with its NUL. */
#define RMB_CAPITALS_MAX 256

/* cents (0..RMB_CENTS_MAX fen) in capitals into out (cap bytes,
 * NUL-terminated).  False (out "") when cents is outside the range or out
 * is too small. */
bool rmb_capitals(int64_t cents, char *out, size_t cap);

#endif

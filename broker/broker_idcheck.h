/*  broker_idcheck.h — the "digital employee"'s identifier checks at case intake.

    Pure functions: no allocation, no global state, no locale. Every check fills a
    broker_check_t so the broker can record {code, ok, reason} on the case. A failure names
    the first sub-check that failed; a success names the whole check. Reasons are bilingual
    (Chinese / English), valid UTF-8, and never repeat the whole identifier (DESIGN.md:
    identifiers are masked wherever shown or logged), at most one character of it.

    No input crashes these functions: NULL, empty, over-long, non-ASCII or invalid UTF-8
    input gives a format failure. Inputs are read up to their NUL or a little past the
    longest valid form, never further.

    Codes:
      ID number (GB 11643-1999)   id_format, id_check_char, id_birth_date, id_region; id_number
      USCC (GB 32100-2015)        uscc_format, uscc_charset, uscc_check_char; uscc
      USCC organisation code part uscc_org_check (advisory, see broker_idcheck_uscc_org)
      Phone number                phone_format; phone */
#ifndef BROKER_IDCHECK_H
#define BROKER_IDCHECK_H

#include <stdbool.h>
#include <stddef.h>

//  Result of one check.
typedef struct {
    bool ok;            //  the check passed
    char code[32];      //  stable short code: the failed sub-check, or the whole check on success
    char reason[256];   //  bilingual human reason, "中文 / English", valid UTF-8
    char canonical[24]; //  on success the normalised identifier (X and letters upper-case,
                        //  phone without spaces or +86); "" on failure
} broker_check_t;

//  --- Citizen ID number (居民身份证号码, GB 11643-1999) ---
//  18 characters: 6-digit region code, birth date YYYYMMDD, 3-digit sequence (odd = male),
//  check character '0'..'9' or 'X' (ISO 7064 MOD 11-2). A lower-case 'x' is accepted; the
//  canonical form and the reasons use 'X'. Checks run in this order and the first failure
//  is reported: id_format (length, characters; 15-digit IDs are the pre-1999 format and
//  fail here), id_check_char, id_birth_date (a real calendar date from 1800-01-01 to today;
//  not 1900, as DOMAIN.md's 440524188001010014, the worked example usually quoted from
//  GB 11643, was born in 1880), id_region (the first two digits are a province-level code
//  of GB/T 2260: 11-15, 21-23, 31-37, 41-46, 50-54, 61-65, 71; 81, 82 and 83 as used by
//  the residence permits for Hong Kong, Macau and Taiwan residents; a leading 9, the
//  foreigners' permanent residence ID, fails here with a reason saying so).
//  `today_yyyymmdd` is the broker's local date; 0 skips the not-in-the-future test.
//  Returns 0 if valid, -1 if not. `out` may be NULL.
int broker_idcheck_id_number (const char *id, int today_yyyymmdd, broker_check_t *out);

//  Check character for the first 17 characters of `first17` (which must be digits; any
//  further characters are ignored): '0'..'9' or 'X', or 0 if there are fewer than 17 digits.
char broker_idcheck_id_check_char (const char *first17);

//  Birth date of an ID number that is well formed (18 characters as above; the check
//  character is not verified: call broker_idcheck_id_number first). Sets *yyyymmdd and
//  returns 0 if positions 7-14 are a real calendar date, else -1.
int broker_idcheck_id_birth (const char *id, int *yyyymmdd);

//  Gender of a well-formed ID number from its 17th digit: 'M' (odd) or 'F' (even), or 0
//  if `id` is not well formed.
char broker_idcheck_id_gender (const char *id);

//  Age in full years on `today_yyyymmdd` of someone born on `birth_yyyymmdd`, or -1 if
//  either is not a real date or the birth is after today. A 29 February birthday comes on
//  1 March in common years.
int broker_idcheck_age (int birth_yyyymmdd, int today_yyyymmdd);

//  --- Unified Social Credit Code (统一社会信用代码, GB 32100-2015) ---
//  18 characters over "0123456789ABCDEFGHJKLMNPQRTUWXY" (no I O S V Z): registration
//  authority, category, 6-digit region code, 9-character organisation code, mod-31 check
//  character. Lower-case letters are accepted and upper-cased (staff type these by hand,
//  as with the ID number's 'x'); the canonical form is upper case. Checks: uscc_format
//  (length, ASCII, digits at 3-8), uscc_charset (every other character in the alphabet),
//  uscc_check_char (C18 = 31 - (sum Ci*Wi mod 31), W = 3^(i-1) mod 31, 31 -> 0). The
//  authority and category characters are not checked against a list: the standard lets
//  each registration department add its own. Returns 0 if valid, -1 if not. `out` may be NULL.
int broker_idcheck_uscc (const char *code, broker_check_t *out);

//  Mod-31 check character for the first 17 characters of `first17`, or 0 if one of them
//  is outside the alphabet (lower case is accepted) or there are fewer than 17.
char broker_idcheck_uscc_check_char (const char *first17);

//  Advisory check of the organisation code inside a USCC (characters 9-17, GB 11714-1997:
//  C9 = 11 - (sum Ci*Wi mod 11), W = 3 7 9 10 5 8 4 2, letters A=10 .. Z=35, 10 -> 'X',
//  11 -> '0'). Record a failure as a warning, not a rejection: GB 32100 makes only the
//  18th character the code's check, and codes are on record that do not follow the rules
//  (some issued in Xiamen before 2016 fail even the mod-31 check). Every real code we
//  tried passes it (DOMAIN.md's two and the 383 in python-stdnum's test list), so a
//  failure is worth a second look at the licence. Runs broker_idcheck_uscc first and
//  reports its failure if the code is malformed. Code "uscc_org_check". Returns 0 if it
//  holds, -1 if not.
int broker_idcheck_uscc_org (const char *code, broker_check_t *out);

//  GB 11714 check character for an organisation code body `first8` (digits or letters,
//  lower case accepted): '0'..'9' or 'X', or 0 on bad input.
char broker_idcheck_org_check_char (const char *first8);

//  --- Phone numbers ---
//  Mainland mobile: 11 digits 1[3-9]xxxxxxxxx, hyphens allowed ("138-1234-5678").
//  Landline: area code + 7-8 digit local number, optionally "-" between them. Area codes
//  are 010 and 02x (3 digits) or 03xx-09xx (4 digits), which is also how an unhyphenated
//  landline is split. ASCII spaces are ignored; a leading "+86" or "0086" is stripped, and
//  after it the landline's trunk 0 may be left out ("+86 21 1234 5678"). Canonical forms:
//  "13812345678", "021-12345678". Code "phone_format". Returns 0 if valid, -1 if not.
int broker_idcheck_phone (const char *phone, broker_check_t *out);

//  --- Masking for display and logs ---
//  Writes `id` with all but its first 4 and last 4 characters replaced by '*'
//  ("1101**********002X"; a lower-case x is shown as 'X'). Input that is not 9-32 ASCII
//  letters or digits gives "****". NULL gives "". Output is truncated to `size` - 1 bytes
//  and always terminated when size > 0; 19 bytes hold a masked 18-character ID.
void broker_idcheck_mask_id (const char *id, char *out, size_t size);

//  Writes a valid phone number masked: mobiles keep the first 3 and last 4 digits
//  ("138****5678"); landlines keep the area code and last 4 digits ("0755-***4567").
//  Input that broker_idcheck_phone rejects gives "****"; NULL gives "". Truncation as
//  for broker_idcheck_mask_id; 14 bytes always suffice.
void broker_idcheck_mask_phone (const char *phone, char *out, size_t size);

//  Writes a person's name masked for public views: the first character kept, the last too
//  when there are three or more, the others '*' ("张*", "李*明", "欧**华"). UTF-8 aware;
//  invalid UTF-8 gives "*". NULL gives "". Truncated at a character boundary to fit `size`.
void broker_idcheck_mask_name (const char *name, char *out, size_t size);

#endif

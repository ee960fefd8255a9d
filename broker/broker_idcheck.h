/*  broker_idcheck.h — the "digital employee"'s identifier checks at case intake.

    Pure functions: no allocation, no global state, no locale. Every check fills a
    broker_check_t so the broker can record {code, ok, reason} on the case. A failure names
    the first sub-check that failed; a success names the whole check. Reasons are bilingual
    (Chinese / English), valid UTF-8, and never repeat the whole identifier (DESIGN.md:
    identifiers are masked wherever shown or logged), only the few characters a reason is
    about (a check character, a region or nationality code).

    No input crashes these functions: NULL, empty, over-long, non-ASCII or invalid UTF-8
    input gives a format failure. Inputs are read up to their NUL or a little past the
    longest valid form, never further.

    Codes:
      ID document numbers         id_format, id_type, id_check_char, id_birth_date, id_region,
                                  id_nationality; id_number
      Nationality list (advisory) id_nationality_list
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

//  --- Personal ID documents (证件) ---
//  The documents a person may apply with, by their stable wire name (`id_type` on the wire)
//  and Chinese name. The first three are "self-describing": their number is 18 characters
//  in the form of GB 11643 (17 digits, a MOD 11-2 check character) and its leading digits
//  say which document it is, so no type needs to be given. The others must be named.
//    X (ID, "wire name", "中文名", "English name", self-describing)
#define BROKER_ID_TYPES(X)                                                         \
    X (RESIDENT, "resident_id", "居民身份证", "resident ID card", true)            \
    X (FOREIGN_PERMANENT, "foreign_permanent", "外国人永久居留身份证",             \
       "foreigner's permanent residence ID card", true)                            \
    X (HMT_RESIDENCE, "hmt_residence", "港澳台居民居住证",                         \
       "residence permit for Hong Kong, Macao and Taiwan residents", true)         \
    X (FOREIGN_PERMANENT_OLD, "foreign_permanent_old", "外国人永久居留证（旧版）", \
       "foreigner's permanent residence card (before 2023)", false)                \
    X (HK_MACAO_PERMIT, "hk_macao_permit", "港澳居民来往内地通行证",               \
       "Mainland travel permit for Hong Kong and Macao residents", false)          \
    X (TAIWAN_PERMIT, "taiwan_permit", "台湾居民来往大陆通行证",                   \
       "Mainland travel permit for Taiwan residents", false)                       \
    X (PASSPORT, "passport", "护照", "passport", false)

typedef enum {
    BROKER_ID_NONE = 0, //  no type: not given, or not told by the number
#define BROKER_ID_ENUM(id, wire, zh, en, self) BROKER_ID_##id,
    BROKER_ID_TYPES (BROKER_ID_ENUM)
#undef BROKER_ID_ENUM
} broker_id_type_t;

//  The type whose wire name is `wire` ("passport"); BROKER_ID_NONE for NULL or an unknown name.
broker_id_type_t broker_idcheck_type (const char *wire);
//  The wire name of `type` ("passport"); "" for BROKER_ID_NONE.
const char *broker_idcheck_type_name (broker_id_type_t type);
//  The Chinese name of `type` ("护照"); "" for BROKER_ID_NONE.
const char *broker_idcheck_type_label (broker_id_type_t type);
//  The type an 18-character number names by its leading digits, whether or not it is valid:
//  a leading 9 is the foreigner's permanent residence ID card (2023), 81, 82 or 83 the
//  residence permit of Hong Kong, Macao and Taiwan residents, any other digit a resident ID.
//  BROKER_ID_NONE if `number` is not 18 characters.
broker_id_type_t broker_idcheck_type_of (const char *number);

//  Checks the number of a personal ID document of `type`. BROKER_ID_NONE means "the type
//  the number names": it must then be 18 characters (broker_idcheck_type_of); a self-
//  describing type may also be given, and must then agree with the number (id_type). The
//  checks, the first failure reported:
//  - 居民身份证 (resident_id, GB 11643-1999): id_format (18 characters, 17 digits then a
//    digit or X; 15-digit numbers are the pre-1999 format and fail here), id_check_char
//    (ISO 7064 MOD 11-2), id_birth_date (characters 7-14 a real date from 1800-01-01 to
//    today; not 1900: DOMAIN.md's 440524188001010014, the example usually quoted from GB
//    11643, was born in 1880), id_region (the first two digits a province-level code of
//    GB/T 2260: 11-15, 21-23, 31-37, 41-46, 50-54, 61-65, 71).
//  - 港澳台居民居住证 (hmt_residence): as a resident ID, but the region code (characters 1-6)
//    exactly 810000 (Hong Kong), 820000 (Macao) or 830000 (Taiwan); any other 81xxxx,
//    82xxxx, 83xxxx fails id_region.
//  - 外国人永久居留身份证 (foreign_permanent, the 2023 card: 9, a 2-digit province code where
//    it was applied for, a 3-digit nationality code, birth date, 3-digit order, MOD 11-2
//    check): id_format, id_check_char, id_birth_date as above; id_region (characters 2-3 a
//    mainland province-level code, as for a resident ID but not 71); id_nationality
//    (characters 4-6 a code ISO 3166-1 numeric could hold: 001-899, 900-999 being its
//    user-assigned range and 000 none, and not 156, 158, 344 or 446, China with Taiwan,
//    Hong Kong and Macao, whose people hold Chinese documents, never this card). Whether
//    the code is actually assigned is the advisory broker_idcheck_nationality_listed.
//  - 外国人永久居留证 (foreign_permanent_old, the card before 2023): id_format, 15
//    characters, 3 letters (the nationality, ISO 3166-1 alpha-3) then 12 digits.
//  - 港澳居民来往内地通行证 (hk_macao_permit): id_format, H or M then 8 or 10 digits.
//  - 台湾居民来往大陆通行证 (taiwan_permit): id_format, 8 digits.
//  - 护照 (passport): id_format, 5 to 17 ASCII letters and digits, at least one a digit
//    (passport numbers of every issuing state we know fit; no check character is common to
//    them).
//  Lower-case letters are accepted; the canonical form and the reasons use upper case.
//  `today_yyyymmdd` is the broker's local date; 0 skips the not-in-the-future test. On
//  success `out->code` is "id_number". *found (if not NULL) gets the type checked: `type`,
//  or the type the number names; BROKER_ID_NONE if none could be told. Returns 0 if valid,
//  -1 if not. `out` may be NULL.
int broker_idcheck_document (const char *number, broker_id_type_t type, int today_yyyymmdd,
                             broker_check_t *out, broker_id_type_t *found);

//  An 18-character number of any self-describing type, checked as broker_idcheck_document
//  with BROKER_ID_NONE.
int broker_idcheck_id_number (const char *id, int today_yyyymmdd, broker_check_t *out);

//  Advisory check of a foreign_permanent number that broker_idcheck_document accepted: is
//  its nationality code (characters 4-6) assigned in ISO 3166-1 numeric? The list is the
//  249 codes of Debian's iso-codes 4.15 (iso_3166-1.json, 2023). Record a failure as a
//  warning, not a refusal: the list changes (South Sudan's 728 came in 2011) and the
//  immigration administration's own code table is not published; the worked
//  example 911011199001010012 carries 011, which ISO 3166-1 does not assign. Code
//  "id_nationality_list". Returns 0 if listed, -1 if not (or if `number` is not a valid
//  foreign_permanent number: its failure is reported).
int broker_idcheck_nationality_listed (const char *number, broker_check_t *out);

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
//  Writes an ID document number `id` masked: its first quarter kept, at most 4 characters,
//  the rest '*' ("4401**************", "E1*******"; letters in upper case). The last 4
//  characters are never shown: they are the cabinet's second factor at pickup
//  (broker_vault.h), so no masked number may give them away; the first ones say only where
//  (or, for a passport, by whom) the document was issued. Input that is not 5-32 ASCII
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

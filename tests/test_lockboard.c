/*  test_lockboard.c — lock boards: the frame codecs of both families with known bytes, and
    the stream parser (byte by byte, garbage, corrupt frames, 10,000 random buffers).
    test_lockboard_sim.c runs the real driver against the real onewindow-boardsim. */
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests.h"
#include "vault_frame.h"

//  ---------------------------------------------------------------------------------------
//  Helpers

static uint32_t s_rng = 12345;

static uint32_t
s_random (void)
{
    s_rng ^= s_rng << 13;
    s_rng ^= s_rng >> 17;
    s_rng ^= s_rng << 5;
    return s_rng;
}

static bool
s_bytes_equal (const vault_frame_t *f, const uint8_t *bytes, size_t size)
{
    return f->size == size && memcmp (f->data, bytes, size) == 0;
}

//  ---------------------------------------------------------------------------------------
//  Codecs

static void
test_8a_codec (void)
{
    vault_frame_t f;
    CU_ASSERT_EQUAL (vault_frame_8a_open (&f, 1, 1), 0);
    CU_ASSERT (s_bytes_equal (&f, (const uint8_t[]){0x8A, 0x01, 0x01, 0x11, 0x9B}, 5));
    CU_ASSERT_EQUAL (vault_frame_8a_open (&f, 2, 10), 0);
    CU_ASSERT (s_bytes_equal (&f, (const uint8_t[]){0x8A, 0x02, 0x0A, 0x11, 0x93}, 5));
    CU_ASSERT_EQUAL (vault_frame_8a_open (&f, 3, 12), 0);
    CU_ASSERT (s_bytes_equal (&f, (const uint8_t[]){0x8A, 0x03, 0x0C, 0x11, 0x94}, 5));
    CU_ASSERT_EQUAL (vault_frame_8a_query (&f, 1, 1), 0);
    CU_ASSERT (s_bytes_equal (&f, (const uint8_t[]){0x80, 0x01, 0x01, 0x33, 0xB3}, 5));
    CU_ASSERT_EQUAL (vault_frame_8a (&f, 0x80, 1, 0, 0x33), 0);
    CU_ASSERT (s_bytes_equal (&f, (const uint8_t[]){0x80, 0x01, 0x00, 0x33, 0xB2}, 5));
    CU_ASSERT_EQUAL (vault_frame_xor ((const uint8_t[]){0x8A, 0x01, 0x01, 0x11}, 4), 0x9B);

    //  Replies: door open, door closed.
    CU_ASSERT_EQUAL (
        vault_frame_decode (VAULT_PROTO_8A, (const uint8_t[]){0x80, 0x01, 0x01, 0x11, 0x91}, 5, &f),
        0);
    CU_ASSERT_EQUAL (f.head, 0x80);
    CU_ASSERT_EQUAL (f.board, 1);
    CU_ASSERT_EQUAL (f.lock, 1);
    CU_ASSERT_EQUAL (f.cmd, VAULT_8A_DOOR_OPEN);
    CU_ASSERT_EQUAL (
        vault_frame_decode (VAULT_PROTO_8A, (const uint8_t[]){0x80, 0x01, 0x01, 0x00, 0x80}, 5, &f),
        0);
    CU_ASSERT_EQUAL (f.cmd, VAULT_8A_DOOR_CLOSED);
    CU_ASSERT_EQUAL (
        vault_frame_decode (VAULT_PROTO_8A, (const uint8_t[]){0x8A, 0x02, 0x0A, 0x11, 0x93}, 5, &f),
        0);
    CU_ASSERT_EQUAL (f.head, 0x8A);
    CU_ASSERT_EQUAL (f.board, 2);
    CU_ASSERT_EQUAL (f.lock, 10);

    //  Out of range.
    CU_ASSERT_EQUAL (vault_frame_8a_open (&f, 0, 1), -1);
    CU_ASSERT_EQUAL (f.size, 0);
    CU_ASSERT_EQUAL (vault_frame_8a_open (&f, 1, 0), -1);
    CU_ASSERT_EQUAL (vault_frame_8a_open (&f, 256, 1), -1);
    CU_ASSERT_EQUAL (vault_frame_8a_query (&f, 1, 256), -1);
    CU_ASSERT_EQUAL (vault_frame_8a (&f, 0x80, 1, -1, 0x33), -1);
}

static void
test_cu16_codec (void)
{
    vault_frame_t f;
    CU_ASSERT_EQUAL (vault_frame_cu16 (&f, 1, 1, VAULT_CU16_CMD_STATUS), 0);
    CU_ASSERT (s_bytes_equal (&f, (const uint8_t[]){0x02, 0x00, 0x30, 0x03, 0x35}, 5));
    CU_ASSERT_EQUAL (vault_frame_cu16 (&f, 1, 1, VAULT_CU16_CMD_UNLOCK), 0);
    CU_ASSERT (s_bytes_equal (&f, (const uint8_t[]){0x02, 0x00, 0x31, 0x03, 0x36}, 5));
    CU_ASSERT_EQUAL (vault_frame_cu16 (&f, 2, 16, VAULT_CU16_CMD_UNLOCK), 0);
    CU_ASSERT (s_bytes_equal (&f, (const uint8_t[]){0x02, 0x1F, 0x31, 0x03, 0x55}, 5));
    CU_ASSERT_EQUAL (vault_frame_sum ((const uint8_t[]){0x02, 0x00, 0x30, 0x03}, 4), 0x35);

    //  Status reply: lock 1 open (hook not latched), lock 1 occupied, others closed and empty.
    CU_ASSERT_EQUAL (vault_frame_cu16_status (&f, 1, 1, 0xFFFE, 0x0001), 0);
    const uint8_t status[] = {0x02, 0x00, 0x35, 0xFE, 0xFF, 0x01, 0x00, 0x03, 0x38};
    CU_ASSERT (s_bytes_equal (&f, status, sizeof status));
    vault_frame_t d;
    CU_ASSERT_EQUAL (vault_frame_decode (VAULT_PROTO_CU16, status, sizeof status, &d), 0);
    CU_ASSERT_EQUAL (d.cmd, VAULT_CU16_CMD_REPLY);
    CU_ASSERT_EQUAL (d.board, 1);
    CU_ASSERT_EQUAL (d.latched, 0xFFFE);
    CU_ASSERT_EQUAL (d.infrared, 0x0001);

    //  Lock 16 of board 16, bits in the high bytes.
    CU_ASSERT_EQUAL (vault_frame_cu16_status (&f, 16, 16, 0x7FFF, 0x8000), 0);
    CU_ASSERT_EQUAL (f.data[1], 0xFF);
    CU_ASSERT_EQUAL (f.data[4], 0x7F);
    CU_ASSERT_EQUAL (f.data[6], 0x80);
    CU_ASSERT_EQUAL (vault_frame_decode (VAULT_PROTO_CU16, f.data, f.size, &d), 0);
    CU_ASSERT_EQUAL (d.board, 16);
    CU_ASSERT_EQUAL (d.lock, 16);
    CU_ASSERT_EQUAL (d.latched, 0x7FFF);
    CU_ASSERT_EQUAL (d.infrared, 0x8000);

    //  The BUSY clear after an unlock (lock nibble 0), which the parser must find.
    CU_ASSERT_EQUAL (vault_frame_cu16 (&f, 2, 1, VAULT_CU16_CMD_CLEAR), 0);
    const uint8_t clear[] = {0x02, 0x10, 0x38, 0x03, 0x4D};
    CU_ASSERT (s_bytes_equal (&f, clear, sizeof clear));
    vault_parser_t *p = vault_parser_new (VAULT_PROTO_CU16);
    const uint8_t *ptr = clear;
    size_t left = sizeof clear;
    CU_ASSERT_TRUE (vault_parser_next (p, &ptr, &left, &d));
    CU_ASSERT_EQUAL (d.cmd, VAULT_CU16_CMD_CLEAR);
    CU_ASSERT_EQUAL (d.board, 2);
    vault_parser_destroy (&p);
    //  DIP 15 lock 1 is the broadcast address: why the driver refuses board 16.
    CU_ASSERT_EQUAL (vault_frame_cu16 (&f, 16, 1, VAULT_CU16_CMD_STATUS), 0);
    CU_ASSERT_EQUAL (f.data[1], VAULT_CU16_BROADCAST);

    CU_ASSERT_EQUAL (vault_frame_cu16 (&f, 0, 1, 0x31), -1);
    CU_ASSERT_EQUAL (vault_frame_cu16 (&f, 17, 1, 0x31), -1);
    CU_ASSERT_EQUAL (vault_frame_cu16 (&f, 1, 17, 0x31), -1);
    CU_ASSERT_EQUAL (vault_frame_cu16_status (&f, 1, 0, 0, 0), -1);
}

//  Wire time: ten bits a byte (8N1), rounded up to the microsecond.
static void
test_wire_time (void)
{
    CU_ASSERT_EQUAL (vault_frame_wire_us (9600, 10), 10417);   //  an 8A query and its reply
    CU_ASSERT_EQUAL (vault_frame_wire_us (19200, 14), 7292);   //  a CU16 status round trip
    CU_ASSERT_EQUAL (vault_frame_wire_us (9600, 480), 500000); //  two 24-lock 8A boards
    CU_ASSERT_EQUAL (vault_frame_wire_us (0, 10), 0);
}

static void
test_decode_rejects (void)
{
    vault_frame_t f;
    //  8A: wrong check byte, short, long, unknown head, board 0.
    CU_ASSERT_EQUAL (
        vault_frame_decode (VAULT_PROTO_8A, (const uint8_t[]){0x8A, 0x01, 0x01, 0x11, 0x9C}, 5, &f),
        -1);
    CU_ASSERT_EQUAL (
        vault_frame_decode (VAULT_PROTO_8A, (const uint8_t[]){0x8A, 0x01, 0x01, 0x11}, 4, &f), -1);
    CU_ASSERT_EQUAL (vault_frame_decode (VAULT_PROTO_8A,
                                         (const uint8_t[]){0x8A, 0x01, 0x01, 0x11, 0x9B, 0x00}, 6,
                                         &f),
                     -1);
    CU_ASSERT_EQUAL (
        vault_frame_decode (VAULT_PROTO_8A, (const uint8_t[]){0x81, 0x01, 0x01, 0x11, 0x90}, 5, &f),
        -1);
    CU_ASSERT_EQUAL (
        vault_frame_decode (VAULT_PROTO_8A, (const uint8_t[]){0x8A, 0x00, 0x01, 0x11, 0x9A}, 5, &f),
        -1);
    CU_ASSERT_EQUAL (vault_frame_decode (VAULT_PROTO_8A, NULL, 0, &f), -1);
    //  CU16: wrong sum, wrong ETX (sum right), unknown command, wrong length for the command.
    CU_ASSERT_EQUAL (vault_frame_decode (VAULT_PROTO_CU16,
                                         (const uint8_t[]){0x02, 0x00, 0x30, 0x03, 0x36}, 5, &f),
                     -1);
    CU_ASSERT_EQUAL (vault_frame_decode (VAULT_PROTO_CU16,
                                         (const uint8_t[]){0x02, 0x00, 0x30, 0x04, 0x36}, 5, &f),
                     -1);
    CU_ASSERT_EQUAL (vault_frame_decode (VAULT_PROTO_CU16,
                                         (const uint8_t[]){0x02, 0x00, 0x40, 0x03, 0x45}, 5, &f),
                     -1);
    CU_ASSERT_EQUAL (vault_frame_decode (VAULT_PROTO_CU16,
                                         (const uint8_t[]){0x02, 0x00, 0x35, 0x03, 0x3A}, 5, &f),
                     -1);
    //  A frame of one family is not a frame of the other.
    CU_ASSERT_EQUAL (vault_frame_decode (VAULT_PROTO_CU16,
                                         (const uint8_t[]){0x8A, 0x01, 0x01, 0x11, 0x9B}, 5, &f),
                     -1);
    char hex[32];
    CU_ASSERT_STRING_EQUAL (
        vault_frame_hex ((const uint8_t[]){0x8A, 0x01, 0x01, 0x11, 0x9B}, 5, hex, sizeof hex),
        "8A 01 01 11 9B");
    CU_ASSERT_STRING_EQUAL (
        vault_frame_hex ((const uint8_t[]){0x8A, 0x01, 0x01, 0x11, 0x9B}, 5, hex, 7), "8A 01");
}

//  ---------------------------------------------------------------------------------------
//  Stream parser

typedef struct {
    vault_frame_t frames[64];
    size_t count;
    size_t frame_bytes;
} s_got_t;

//  Feeds `data` in chunks of `chunk` bytes (0 = random sizes), collects frames and checks
//  each one decodes and that every byte is accounted for.
static void
s_feed (vault_parser_t *p, const uint8_t *data, size_t size, size_t chunk, s_got_t *got,
        vault_proto_t proto)
{
    uint64_t discarded_before = vault_parser_discarded (p);
    size_t pending_before = vault_parser_pending (p);
    size_t at = 0;
    while (at < size) {
        size_t n = chunk ? chunk : 1 + s_random () % 17;
        if (n > size - at)
            n = size - at;
        const uint8_t *ptr = data + at;
        size_t left = n;
        vault_frame_t f;
        while (vault_parser_next (p, &ptr, &left, &f)) {
            vault_frame_t check;
            CU_ASSERT_EQUAL (vault_frame_decode (proto, f.data, f.size, &check), 0);
            CU_ASSERT (f.size > 0 && f.size <= VAULT_FRAME_MAX);
            got->frame_bytes += f.size;
            if (got->count < sizeof got->frames / sizeof got->frames[0])
                got->frames[got->count] = f;
            got->count++;
        }
        CU_ASSERT_EQUAL (left, 0);
        at += n;
    }
    CU_ASSERT (vault_parser_pending (p) <= VAULT_FRAME_MAX);
    //  Every byte fed is in a frame, discarded, or still pending.
    CU_ASSERT_EQUAL (pending_before + size, got->frame_bytes +
                                                (vault_parser_discarded (p) - discarded_before) +
                                                vault_parser_pending (p));
}

static void
test_parser_8a (void)
{
    vault_frame_t open11, query23, reply11, bad;
    vault_frame_8a_open (&open11, 1, 1);
    vault_frame_8a_query (&query23, 2, 3);
    vault_frame_8a (&reply11, 0x80, 1, 1, VAULT_8A_DOOR_OPEN);
    vault_frame_8a_open (&bad, 1, 2);
    bad.data[4] ^= 0x01;

    uint8_t stream[128];
    size_t n = 0;
    const uint8_t junk1[] = {0x00, 0xFF, 0x8A, 0x80, 0x12};
    memcpy (stream + n, junk1, sizeof junk1), n += sizeof junk1;
    memcpy (stream + n, open11.data, 5), n += 5;
    memcpy (stream + n, query23.data, 5), n += 5; //  two frames back to back
    memcpy (stream + n, bad.data, 5), n += 5;     //  corrupt check byte
    const uint8_t junk2[] = {0x80, 0x80};
    memcpy (stream + n, junk2, sizeof junk2), n += sizeof junk2;
    memcpy (stream + n, reply11.data, 5), n += 5;

    size_t chunks[] = {1, 2, 3, 7, sizeof stream, 0};
    for (size_t c = 0; c < sizeof chunks / sizeof chunks[0]; c++) {
        vault_parser_t *p = vault_parser_new (VAULT_PROTO_8A);
        CU_ASSERT_PTR_NOT_NULL_FATAL (p);
        s_got_t got = {0};
        s_feed (p, stream, n, chunks[c], &got, VAULT_PROTO_8A);
        CU_ASSERT_EQUAL (got.count, 3);
        if (got.count == 3) {
            CU_ASSERT (s_bytes_equal (&got.frames[0], open11.data, 5));
            CU_ASSERT (s_bytes_equal (&got.frames[1], query23.data, 5));
            CU_ASSERT (s_bytes_equal (&got.frames[2], reply11.data, 5));
            CU_ASSERT_EQUAL (got.frames[1].board, 2);
            CU_ASSERT_EQUAL (got.frames[1].lock, 3);
            CU_ASSERT_EQUAL (got.frames[1].cmd, VAULT_8A_CMD_QUERY);
        }
        CU_ASSERT (vault_parser_bad_frames (p) >= 1);
        CU_ASSERT_EQUAL (vault_parser_frames (p), 3);
        CU_ASSERT_EQUAL (vault_parser_pending (p), 0);
        CU_ASSERT_EQUAL (vault_parser_discarded (p), n - 15);

        //  A partial frame waits for the rest; reset throws it away.
        const uint8_t *ptr = open11.data;
        size_t left = 3;
        vault_frame_t f;
        CU_ASSERT_FALSE (vault_parser_next (p, &ptr, &left, &f));
        CU_ASSERT_EQUAL (vault_parser_pending (p), 3);
        ptr = open11.data + 3;
        left = 2;
        CU_ASSERT_TRUE (vault_parser_next (p, &ptr, &left, &f));
        CU_ASSERT (s_bytes_equal (&f, open11.data, 5));
        ptr = open11.data;
        left = 4;
        CU_ASSERT_FALSE (vault_parser_next (p, &ptr, &left, &f));
        uint64_t before = vault_parser_discarded (p);
        vault_parser_reset (p);
        CU_ASSERT_EQUAL (vault_parser_pending (p), 0);
        CU_ASSERT_EQUAL (vault_parser_discarded (p), before + 4);
        CU_ASSERT_FALSE (vault_parser_next (p, NULL, NULL, &f));
        vault_parser_destroy (&p);
        CU_ASSERT_PTR_NULL (p);
    }
    vault_parser_destroy (NULL);
}

static void
test_parser_cu16 (void)
{
    vault_frame_t status_req, status_reply, unlock, bad;
    vault_frame_cu16 (&status_req, 1, 1, VAULT_CU16_CMD_STATUS);
    vault_frame_cu16_status (&status_reply, 3, 1, 0xFFF0, 0x000F);
    vault_frame_cu16 (&unlock, 2, 9, VAULT_CU16_CMD_UNLOCK);
    vault_frame_cu16_status (&bad, 1, 1, 0xFFFF, 0);
    bad.data[8] ^= 0x40;

    uint8_t stream[128];
    size_t n = 0;
    const uint8_t junk1[] = {0x02, 0x02, 0x03, 0x35, 0x02, 0x00};
    memcpy (stream + n, junk1, sizeof junk1), n += sizeof junk1;
    memcpy (stream + n, status_req.data, 5), n += 5;
    memcpy (stream + n, bad.data, 9), n += 9; //  corrupt status reply
    memcpy (stream + n, status_reply.data, 9), n += 9;
    const uint8_t junk2[] = {0x03, 0x02, 0x99};
    memcpy (stream + n, junk2, sizeof junk2), n += sizeof junk2;
    memcpy (stream + n, unlock.data, 5), n += 5;

    size_t chunks[] = {1, 4, sizeof stream, 0};
    for (size_t c = 0; c < sizeof chunks / sizeof chunks[0]; c++) {
        vault_parser_t *p = vault_parser_new (VAULT_PROTO_CU16);
        CU_ASSERT_PTR_NOT_NULL_FATAL (p);
        s_got_t got = {0};
        s_feed (p, stream, n, chunks[c], &got, VAULT_PROTO_CU16);
        CU_ASSERT_EQUAL (got.count, 3);
        if (got.count == 3) {
            CU_ASSERT (s_bytes_equal (&got.frames[0], status_req.data, 5));
            CU_ASSERT (s_bytes_equal (&got.frames[1], status_reply.data, 9));
            CU_ASSERT_EQUAL (got.frames[1].board, 3);
            CU_ASSERT_EQUAL (got.frames[1].latched, 0xFFF0);
            CU_ASSERT_EQUAL (got.frames[1].infrared, 0x000F);
            CU_ASSERT (s_bytes_equal (&got.frames[2], unlock.data, 5));
            CU_ASSERT_EQUAL (got.frames[2].board, 2);
            CU_ASSERT_EQUAL (got.frames[2].lock, 9);
        }
        CU_ASSERT (vault_parser_bad_frames (p) >= 1);
        CU_ASSERT_EQUAL (vault_parser_discarded (p), n - 19);
        vault_parser_destroy (&p);
    }
}

//  10,000 random buffers per family: biased towards frame bytes, sometimes with real frames
//  inside. Nothing may crash (ASan/UBSan watch every access); every frame out must decode;
//  every byte must be accounted for.
static void
test_parser_fuzz (void)
{
    static const uint8_t hot[] = {0x8A, 0x80, 0x02, 0x03, 0x11, 0x33,
                                  0x30, 0x31, 0x35, 0x00, 0x01, 0xFF};
    vault_proto_t protos[] = {VAULT_PROTO_8A, VAULT_PROTO_CU16};
    uint64_t total_frames = 0;
    for (size_t k = 0; k < 2; k++) {
        vault_parser_t *p = vault_parser_new (protos[k]);
        CU_ASSERT_PTR_NOT_NULL_FATAL (p);
        for (int round = 0; round < 10000; round++) {
            uint8_t buf[300];
            size_t size = s_random () % sizeof buf;
            for (size_t i = 0; i < size; i++) {
                uint32_t r = s_random ();
                buf[i] = (r & 3) == 0 ? hot[(r >> 8) % sizeof hot] : (uint8_t)(r >> 16);
            }
            //  Plant a valid frame now and then.
            if (size > 20 && s_random () % 3 == 0) {
                vault_frame_t f;
                int board = 1 + (int)(s_random () % 16), lock = 1 + (int)(s_random () % 16);
                if (protos[k] == VAULT_PROTO_8A)
                    vault_frame_8a_open (&f, board, lock);
                else
                    vault_frame_cu16_status (&f, board, lock, (uint16_t)s_random (),
                                             (uint16_t)s_random ());
                memcpy (buf + s_random () % (size - f.size), f.data, f.size);
            }
            s_got_t got = {0};
            s_feed (p, buf, size, round % 5 == 0 ? 1 : 0, &got, protos[k]);
            total_frames += got.count;
            //  Random slices through the one-shot decoder.
            vault_frame_t f;
            size_t at = size ? s_random () % size : 0;
            size_t len = s_random () % (VAULT_FRAME_MAX + 3);
            if (at + len <= size)
                vault_frame_decode (protos[k], buf + at, len, &f);
            if (round % 1000 == 999)
                vault_parser_reset (p);
        }
        vault_parser_destroy (&p);
    }
    CU_ASSERT (total_frames > 1000); //  the planted frames were found
}

int
test_lockboard_suite (void)
{
    CU_pSuite suite = CU_add_suite ("lockboard", NULL, NULL);
    if (!suite)
        return -1;
    if (!CU_add_test (suite, "8A frames: known bytes, XOR, ranges", test_8a_codec) ||
        !CU_add_test (suite, "CU16 frames: known bytes, sum, status bits", test_cu16_codec) ||
        !CU_add_test (suite, "decode rejects bad frames", test_decode_rejects) ||
        !CU_add_test (suite, "wire time of frames at a baud rate", test_wire_time) ||
        !CU_add_test (suite, "8A stream parser: split, garbage, corrupt", test_parser_8a) ||
        !CU_add_test (suite, "CU16 stream parser: split, garbage, corrupt", test_parser_cu16) ||
        !CU_add_test (suite, "parsers on 10,000 random buffers", test_parser_fuzz))
        return -1;
    return 0;
}

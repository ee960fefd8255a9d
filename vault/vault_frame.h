/*  vault_frame.h — the bytes of the two lock-board frame families, and a stream parser that
    finds whole frames in whatever the serial line delivers. Pure functions: no I/O.

    "8A" family (the widely sold 8A-style boards), five bytes, check = XOR of bytes 0..3:
        open       8A BB LL 11 XX     reply (ack)  8A BB LL 11 XX   (some boards: 80 BB LL SS XX)
        query      80 BB LL 33 XX     reply        80 BB LL SS XX   SS 11 = door open, 00 = closed
    BB board address 1..255 on the wire (the vendor sheet allows 01..40, VAULT_8A_BOARDS),
    LL lock 1..255 (00 in a query = "all locks", not used by us). The vendor's open reply is
    80 BB LL SS, about a second after the open, when the lock has moved.

    Kerong CU16 family (KR-CU16), check = low byte of the sum of all previous bytes:
        request    02 AA CC 03 SS     AA = (board - 1) << 4 | (lock - 1); CC 30 status, 31 unlock
        reply      02 AA 35 L1 L2 I1 I2 03 SS     L = lock hook bits (1 = latched, door closed),
                                                  I = infrared bits (1 = item present);
                                                  L1/I1 locks 1..8 (bit 0 = lock 1), L2/I2 9..16
        clear      02 AA 38 03 SS     sent after each unlock (lock nibble 0) to clear BUSY
    AA F0 is the bus broadcast address: board 16 (DIP 15) cannot be addressed safely.

    docs/LOCKBOARDS.md has the byte-by-byte description, the sources and what we defined. */
#ifndef VAULT_FRAME_H
#define VAULT_FRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum { VAULT_PROTO_8A, VAULT_PROTO_CU16 } vault_proto_t;

//  "8A" family bytes.
#define VAULT_8A_HEAD_OPEN   0x8A //  first byte of an open frame and of its echo
#define VAULT_8A_HEAD_QUERY  0x80 //  first byte of a query frame and of its reply
#define VAULT_8A_CMD_OPEN    0x11 //  fourth byte of an open frame
#define VAULT_8A_CMD_QUERY   0x33 //  fourth byte of a query frame
#define VAULT_8A_DOOR_OPEN   0x11 //  fourth byte of a query reply: door open
#define VAULT_8A_DOOR_CLOSED 0x00 //  fourth byte of a query reply: door closed
#define VAULT_8A_MAX_BOARD   255  //  what a frame can carry
#define VAULT_8A_BOARDS      64   //  addresses 01..40 (hex) on the vendor sheet
#define VAULT_8A_MAX_LOCK    32   //  our status masks are 32 bits wide

//  Kerong CU16 bytes.
#define VAULT_CU16_STX        0x02
#define VAULT_CU16_ETX        0x03
#define VAULT_CU16_CMD_STATUS 0x30 //  read the board's lock and infrared bits
#define VAULT_CU16_CMD_UNLOCK 0x31 //  pulse one lock
#define VAULT_CU16_CMD_REPLY  0x35 //  "return single CU data": the status reply to 30 and 31
#define VAULT_CU16_CMD_CLEAR  0x38 //  sent after each unlock to clear the board's BUSY state
#define VAULT_CU16_MAX_BOARD  16   //  four address bits
#define VAULT_CU16_BOARDS     15   //  usable: DIP 15 lock 1 and its status would be ADDR F0
#define VAULT_CU16_BROADCAST  0xF0 //  ADDR of a request to every board on the bus
#define VAULT_CU16_LOCKS      16

//  Longest frame of either family (the CU16 status reply).
#define VAULT_FRAME_MAX 9
//  Bytes of each frame on the wire, for the poll schedule (vault_frame_wire_us).
#define VAULT_8A_FRAME_SIZE   5 //  every 8A frame, request or reply
#define VAULT_CU16_REQ_SIZE   5 //  a CU16 request
#define VAULT_CU16_REPLY_SIZE 9 //  a CU16 status reply

//  One whole frame: its bytes as on the line and the fields read from them.
typedef struct {
    vault_proto_t proto;           //  family
    size_t size;                   //  bytes used in `data`
    uint8_t data[VAULT_FRAME_MAX]; //  the frame, check byte included
    uint8_t head;                  //  first byte: 8A / 80 (8A family), 02 (CU16)
    uint8_t cmd;                   //  8A: fourth byte (11 / 33, or the door state in a reply);
                                   //  CU16: the CMD byte
    int board;                     //  board as our API counts it: 8A BB; CU16 AA high nibble + 1
    int lock;                      //  8A LL (0 = all); CU16 AA low nibble + 1
    uint16_t latched;              //  CU16 35 replies: lock hook bits, bit (lock-1), 1 = latched
    uint16_t infrared; //  CU16 35 replies: infrared bits, bit (lock-1), 1 = item present
} vault_frame_t;

//  XOR of `size` bytes: the 8A family's check byte.
uint8_t vault_frame_xor (const uint8_t *data, size_t size);
//  Low byte of the sum of `size` bytes: the CU16 check byte.
uint8_t vault_frame_sum (const uint8_t *data, size_t size);

//  Builds an 8A-family frame `head BB LL cmd XX`. 0, or -1 if board is not 1..255 or lock
//  not 0..255 (the frame is then left empty).
int vault_frame_8a (vault_frame_t *frame, uint8_t head, int board, int lock, uint8_t cmd);
//  Builds `8A BB LL 11 XX` (pulse lock LL of board BB). 0 / -1 (lock must be 1..255).
int vault_frame_8a_open (vault_frame_t *frame, int board, int lock);
//  Builds `80 BB LL 33 XX` (read one door). 0 / -1 (lock must be 1..255).
int vault_frame_8a_query (vault_frame_t *frame, int board, int lock);

//  Builds a five-byte CU16 request `02 AA cmd 03 SS` for board 1..16, lock 1..16. 0 / -1.
int vault_frame_cu16 (vault_frame_t *frame, int board, int lock, uint8_t cmd);
//  Builds the nine-byte CU16 status reply `02 AA 35 L1 L2 I1 I2 03 SS`. 0 / -1.
int vault_frame_cu16_status (vault_frame_t *frame, int board, int lock, uint16_t latched,
                             uint16_t infrared);

//  Checks `size` bytes as one whole frame of `proto` (header, length, ETX, check byte) and
//  fills `frame`. 0, or -1 if the bytes are not exactly one valid frame.
int vault_frame_decode (vault_proto_t proto, const uint8_t *data, size_t size,
                        vault_frame_t *frame);

//  Microseconds `bytes` take on a line at `baud` 8N1: ten bits a byte (start, 8 data, stop).
//  0 if baud is not positive.
int64_t vault_frame_wire_us (int baud, size_t bytes);

//  The frame as hex ("8A 01 01 11 9B") in `buf`; returns buf.
char *vault_frame_hex (const uint8_t *data, size_t size, char *buf, size_t buf_size);

//  A stream parser: bytes in, whole valid frames out. Bytes that cannot be part of a valid
//  frame are discarded and counted; a candidate frame whose check byte is wrong is counted
//  and the parser resynchronises one byte after its start, so a real frame hidden inside
//  garbage is still found. Never reads or writes outside its own buffers, whatever the input.
typedef struct vault_parser vault_parser_t;

//  A parser for `proto`. NULL on out-of-memory. Caller destroys it.
vault_parser_t *vault_parser_new (vault_proto_t proto);
//  Destroys the parser and sets *self_p to NULL. Safe on NULL.
void vault_parser_destroy (vault_parser_t **self_p);
//  Forgets any partial frame (the bytes held are counted as discarded); counters stay.
void vault_parser_reset (vault_parser_t *self);
//  Takes bytes from *data (advancing *data and *size) until one whole frame is complete.
//  Returns true with `frame` filled, or false when the input is used up (a partial frame is
//  kept for the next call). Call until false to get every frame in a read.
bool vault_parser_next (vault_parser_t *self, const uint8_t **data, size_t *size,
                        vault_frame_t *frame);
//  Bytes thrown away as not part of any valid frame, since the parser was made.
uint64_t vault_parser_discarded (const vault_parser_t *self);
//  Candidate frames (right header and length) whose check byte or ETX was wrong.
uint64_t vault_parser_bad_frames (const vault_parser_t *self);
//  Whole valid frames returned.
uint64_t vault_parser_frames (const vault_parser_t *self);
//  Bytes taken but not yet decided (part of a possible frame).
size_t vault_parser_pending (const vault_parser_t *self);

#endif

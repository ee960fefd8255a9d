/*  vault_camera.h — the cabinet's camera: frames dropped as PNG files into a folder and
    decoded with ZBar on a thread of its own, so the control loop (doors, sensors, the
    broker) never waits for a picture, whatever the frame rate (docs/CABINET.md).

    The folder protocol, for whatever stores the camera's frames there:
      - a frame is a regular file named *.png, written under another name (x.tmp) and
        renamed to x.png when whole; rename is atomic, so it is never seen half-written;
      - a frame written in place is tolerated: a read that fails while the file is still
        changing (size or time) or was changed less than a second ago is tried again, and
        given up only once the file has stood still that long;
      - the newest frame wins (by modification time, then by name): frames older than the
        one decoded are stale and dropped unread, so a camera faster than the decoder only
        costs dropped frames, never a growing delay;
      - a frame that has been read, or dropped, is deleted, or with keep > 0 renamed *.done
        and only the newest `keep` of those kept, so the disk does not fill;
      - anything named *.png that is not a regular file (a FIFO, a device, a symlink) is
        never opened: it is renamed *.png.bad and left for a person to look at.

    The decoder keeps every code of a frame (a phone held beside a poster is two). Codes
    found since the last vault_camera_take wait for it, each once, in the order first seen;
    vault_camera_fd is readable while there are some. */
#ifndef VAULT_CAMERA_H
#define VAULT_CAMERA_H

#include <stdint.h>

#include "proto_qr.h"

typedef struct vault_camera vault_camera_t;

//  What the decoder did since it started.
typedef struct {
    uint64_t decoded;    //  frames read and decoded (with or without a code)
    uint64_t with_codes; //  of which with at least one code
    uint64_t stale;      //  frames dropped unread: a newer one was there
    uint64_t retried;    //  reads tried again: the file was still being written
    uint64_t unreadable; //  frames given up: not a picture once they stood still
    uint64_t refused;    //  entries named *.png that were not regular files
    int64_t decode_ms;   //  the last frame's read and decode, in ms
    int64_t decode_max_ms;
} vault_camera_stats_t;

//  Starts decoding the frames that appear in `dir` (made if missing); `keep` read frames
//  are kept as *.done (0: deleted at once). NULL, with the reason logged, if the folder
//  cannot be watched or the thread cannot start.
vault_camera_t *vault_camera_new (const char *dir, int keep);
//  Stops the thread and frees everything; *self_p becomes NULL. Safe on NULL.
void vault_camera_destroy (vault_camera_t **self_p);
//  A descriptor to poll for reading: readable while codes wait to be taken.
int vault_camera_fd (const vault_camera_t *self);
//  Moves the codes found since the last call into *out (each once, in the order first
//  seen; at most PROTO_QR_MAX_CODES) and returns how many.
int vault_camera_take (vault_camera_t *self, proto_qr_codes_t *out);
//  A copy of the counters.
void vault_camera_stats (vault_camera_t *self, vault_camera_stats_t *out);

#endif

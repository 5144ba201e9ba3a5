// SRTP sender for the media server's forwarding path: AEAD_AES_128_GCM (RFC 7714) with one cipher
// context per stream, reused for every packet, and the datagram written straight to the ICE
// socket's file descriptor. Replaces, per packet, node:crypto's new cipher object and two result
// buffers, and dgram's address lookup, send request object and deferred send.
//
// With many subscribers on one socket (the ICE UDP mux), queue() encrypts a packet into a batch
// kept per thread and flush() hands every queued datagram of a socket to the kernel in one
// sendmmsg(2): the copies of one source packet for all its subscribers cost one system call.
//
// The socket stays libuv's: the sender keeps a duplicate of its descriptor (dup), so a socket that
// werift closes meanwhile can never leave its number to another file this sender would write to;
// the duplicate is closed with the sender (close(), or when it is garbage-collected).

#define _GNU_SOURCE  // sendmmsg
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <netinet/in.h>
#include <node_api.h>
#include <openssl/evp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>

#define KEY_LENGTH 16
#define SALT_LENGTH 12
#define TAG_LENGTH 16
#define MAX_PAYLOAD 65536
// A queued datagram: header, ciphertext and tag of a packet up to a typical MTU. Larger ones are
// sent at once, alone. 64 of them per thread: the fan-out of one packet flushes when full.
#define BATCH_SLOT 1536
#define BATCH_SIZE 64

typedef struct {
  EVP_CIPHER_CTX *cipher;
  uint8_t iv_base[SALT_LENGTH];
  int fd;
  struct sockaddr_storage destination;
  socklen_t destination_length;
  // The socket behind fd (its inode): senders holding duplicates of one socket share a batch.
  ino_t socket_id;
} SrtpSender;

typedef struct {
  int fd;
  ino_t socket_id;
  struct sockaddr_storage destination;
} BatchEntry;

// Where a packet is encrypted before it is sent: one per N-API environment (the main thread and
// each send worker), not one per stream. A send encrypts and sends in one synchronous call, so
// the streams of one thread never need it at the same time; 64 KB per stream had made it most of
// a subscriber's memory (two streams each, the pages touched by calloc).
typedef struct {
  uint8_t ciphertext[MAX_PAYLOAD + TAG_LENGTH];
  unsigned queued;
  BatchEntry entries[BATCH_SIZE];
  struct mmsghdr messages[BATCH_SIZE];
  struct iovec parts[BATCH_SIZE];
  uint8_t datagrams[BATCH_SIZE][BATCH_SLOT];
} Scratch;

// Sends every queued datagram, one sendmmsg per run of datagrams on the same socket; returns how
// many the kernel refused (a full buffer: lost, as on the wire). Called before a sender's
// descriptor closes or changes, so no queued entry ever names a closed descriptor.
static unsigned flush_batch(Scratch *scratch) {
  unsigned refused = 0;
  unsigned start = 0;
  while (start < scratch->queued) {
    unsigned end = start + 1;
    while (end < scratch->queued && scratch->entries[end].socket_id == scratch->entries[start].socket_id) end++;
    int fd = scratch->entries[start].fd;
    unsigned next = start;
    while (next < end) {
      int sent = sendmmsg(fd, &scratch->messages[next], end - next, MSG_DONTWAIT);
      if (sent > 0) {
        next += (unsigned)sent;
      } else if (sent < 0 && errno == EINTR) {
        continue;
      } else {
        refused++;  // this datagram is refused (EAGAIN, EMSGSIZE, ...); go on with the next
        next++;
      }
    }
    start = end;
  }
  scratch->queued = 0;
  return refused;
}

static Scratch *scratch_of(napi_env env) {
  Scratch *scratch = NULL;
  if (napi_get_instance_data(env, (void **)&scratch) != napi_ok) return NULL;
  return scratch;
}

#define CHECK(call)                                                                       \
  do {                                                                                    \
    if ((call) != napi_ok) return throw_last_error(env);                                  \
  } while (0)

static napi_value throw_last_error(napi_env env) {
  const napi_extended_error_info *info = NULL;
  napi_get_last_error_info(env, &info);
  bool pending = false;
  napi_is_exception_pending(env, &pending);
  if (!pending) napi_throw_error(env, "ERR_MEDLEY_NATIVE", info && info->error_message ? info->error_message : "N-API call failed");
  return NULL;
}

static napi_value throw_range(napi_env env, const char *message) {
  napi_throw_range_error(env, "ERR_MEDLEY_SRTP_ARGUMENT", message);
  return NULL;
}

static void close_descriptor(napi_env env, SrtpSender *sender) {
  if (sender->fd >= 0) {
    Scratch *scratch = scratch_of(env);
    if (scratch && scratch->queued > 0) flush_batch(scratch);
    close(sender->fd);
  }
  sender->fd = -1;
}

static void free_sender(napi_env env, void *data, void *hint) {
  (void)hint;
  SrtpSender *sender = data;
  close_descriptor(env, sender);
  EVP_CIPHER_CTX_free(sender->cipher);
  OPENSSL_cleanse(sender, sizeof(*sender));
  free(sender);
}

static napi_status buffer_arg(napi_env env, napi_value value, uint8_t **data, size_t *length) {
  return napi_get_buffer_info(env, value, (void **)data, length);
}

static SrtpSender *sender_arg(napi_env env, napi_value value) {
  void *data = NULL;
  if (napi_get_value_external(env, value, &data) != napi_ok) return NULL;
  return data;
}

// createSender(sessionKey: Buffer(16), sessionSalt: Buffer(>=12), ssrc: number): External
static napi_value create_sender(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 3) return throw_range(env, "createSender(sessionKey, sessionSalt, ssrc) takes three arguments");
  uint8_t *key, *salt;
  size_t key_length, salt_length;
  uint32_t ssrc;
  CHECK(buffer_arg(env, argv[0], &key, &key_length));
  CHECK(buffer_arg(env, argv[1], &salt, &salt_length));
  CHECK(napi_get_value_uint32(env, argv[2], &ssrc));
  if (key_length != KEY_LENGTH || salt_length < SALT_LENGTH)
    return throw_range(env, "AES-128-GCM needs a 16-byte session key and a 12-byte salt");

  SrtpSender *sender = calloc(1, sizeof(SrtpSender));
  if (!sender) return throw_range(env, "out of memory");
  sender->fd = -1;
  sender->cipher = EVP_CIPHER_CTX_new();
  if (!sender->cipher ||
      EVP_EncryptInit_ex(sender->cipher, EVP_aes_128_gcm(), NULL, NULL, NULL) != 1 ||
      EVP_CIPHER_CTX_ctrl(sender->cipher, EVP_CTRL_GCM_SET_IVLEN, SALT_LENGTH, NULL) != 1 ||
      EVP_EncryptInit_ex(sender->cipher, NULL, NULL, key, NULL) != 1) {
    free_sender(env, sender, NULL);
    napi_throw_error(env, "ERR_MEDLEY_SRTP_CIPHER", "OpenSSL refused the AES-128-GCM key");
    return NULL;
  }
  // IV = salt XOR (0x0000 || SSRC || ROC || SEQ); the SSRC part is fixed per stream.
  memcpy(sender->iv_base, salt, SALT_LENGTH);
  sender->iv_base[2] ^= ssrc >> 24;
  sender->iv_base[3] ^= ssrc >> 16;
  sender->iv_base[4] ^= ssrc >> 8;
  sender->iv_base[5] ^= ssrc;

  napi_value external;
  if (napi_create_external(env, sender, free_sender, NULL, &external) != napi_ok) {
    free_sender(env, sender, NULL);
    return throw_last_error(env);
  }
  return external;
}

// setDestination(sender, fd: number, address: string, port: number, ipv6Socket: boolean): void
static napi_value set_destination(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 5) return throw_range(env, "setDestination(sender, fd, address, port, ipv6Socket) takes five arguments");
  SrtpSender *sender = sender_arg(env, argv[0]);
  if (!sender) return throw_range(env, "the first argument is not a sender made by createSender()");
  int32_t fd;
  uint32_t port;
  bool ipv6_socket;
  char address[INET6_ADDRSTRLEN + 1];
  size_t address_length;
  CHECK(napi_get_value_int32(env, argv[1], &fd));
  CHECK(napi_get_value_string_utf8(env, argv[2], address, sizeof(address), &address_length));
  CHECK(napi_get_value_uint32(env, argv[3], &port));
  CHECK(napi_get_value_bool(env, argv[4], &ipv6_socket));
  if (fd < 0 || port == 0 || port > 65535) return throw_range(env, "the descriptor or port is out of range");

  struct in_addr v4;
  struct in6_addr v6;
  memset(&sender->destination, 0, sizeof(sender->destination));
  if (inet_pton(AF_INET, address, &v4) == 1 && !ipv6_socket) {
    struct sockaddr_in *to = (struct sockaddr_in *)&sender->destination;
    to->sin_family = AF_INET;
    to->sin_port = htons(port);
    to->sin_addr = v4;
    sender->destination_length = sizeof(*to);
  } else if (ipv6_socket && (inet_pton(AF_INET6, address, &v6) == 1 || inet_pton(AF_INET, address, &v4) == 1)) {
    struct sockaddr_in6 *to = (struct sockaddr_in6 *)&sender->destination;
    to->sin6_family = AF_INET6;
    to->sin6_port = htons(port);
    if (inet_pton(AF_INET6, address, &v6) == 1) {
      to->sin6_addr = v6;
    } else {  // an IPv4 peer reached from a dual-stack socket
      memset(&to->sin6_addr, 0, sizeof(to->sin6_addr));
      to->sin6_addr.s6_addr[10] = 0xff;
      to->sin6_addr.s6_addr[11] = 0xff;
      memcpy(&to->sin6_addr.s6_addr[12], &v4, sizeof(v4));
    }
    sender->destination_length = sizeof(*to);
  } else {
    return throw_range(env, "the address is not an IP address the socket can reach");
  }
  int duplicate = fcntl(fd, F_DUPFD_CLOEXEC, 0);
  if (duplicate < 0) return throw_range(env, "the descriptor is not open");
  int type = 0;
  socklen_t type_length = sizeof(type);
  if (getsockopt(duplicate, SOL_SOCKET, SO_TYPE, &type, &type_length) != 0 || type != SOCK_DGRAM) {
    close(duplicate);
    return throw_range(env, "the descriptor is not a UDP socket");
  }
  struct stat socket_stat;
  if (fstat(duplicate, &socket_stat) != 0) {
    close(duplicate);
    return throw_range(env, "the descriptor cannot be inspected");
  }
  close_descriptor(env, sender);
  sender->fd = duplicate;
  sender->socket_id = socket_stat.st_ino;
  return NULL;
}

// close(sender): releases the socket duplicate now; sends after it throw.
static napi_value close_sender(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  SrtpSender *sender = argc < 1 ? NULL : sender_arg(env, argv[0]);
  if (!sender) return throw_range(env, "the first argument is not a sender made by createSender()");
  close_descriptor(env, sender);
  return NULL;
}

// Encrypts payload (header as associated data) into out: ciphertext then tag; false on failure.
static bool encrypt_packet(SrtpSender *sender, const uint8_t *header, size_t header_length,
                           const uint8_t *payload, size_t payload_length, uint32_t roc,
                           uint32_t sequence, uint8_t *out) {
  uint8_t iv[SALT_LENGTH];
  memcpy(iv, sender->iv_base, SALT_LENGTH);
  iv[6] ^= roc >> 24;
  iv[7] ^= roc >> 16;
  iv[8] ^= roc >> 8;
  iv[9] ^= roc;
  iv[10] ^= sequence >> 8;
  iv[11] ^= sequence;
  int written = 0, final_written = 0;
  return EVP_EncryptInit_ex(sender->cipher, NULL, NULL, NULL, iv) == 1 &&
         EVP_EncryptUpdate(sender->cipher, NULL, &written, header, (int)header_length) == 1 &&
         EVP_EncryptUpdate(sender->cipher, out, &written, payload, (int)payload_length) == 1 &&
         EVP_EncryptFinal_ex(sender->cipher, out + written, &final_written) == 1 &&
         EVP_CIPHER_CTX_ctrl(sender->cipher, EVP_CTRL_GCM_GET_TAG, TAG_LENGTH, out + payload_length) == 1;
}

typedef struct {
  SrtpSender *sender;
  uint8_t *header;
  size_t header_length;
  uint8_t *payload;
  size_t payload_length;
  uint32_t roc;
  uint32_t sequence;
  Scratch *scratch;
} PacketArguments;

// The five arguments of send() and queue(); false after throwing.
static bool packet_arguments(napi_env env, napi_callback_info info, const char *usage, PacketArguments *packet) {
  size_t argc = 5;
  napi_value argv[5];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok) return throw_last_error(env), false;
  if (argc < 5) return throw_range(env, usage), false;
  packet->sender = sender_arg(env, argv[0]);
  if (!packet->sender) return throw_range(env, "the first argument is not a sender made by createSender()"), false;
  if (buffer_arg(env, argv[1], &packet->header, &packet->header_length) != napi_ok ||
      buffer_arg(env, argv[2], &packet->payload, &packet->payload_length) != napi_ok ||
      napi_get_value_uint32(env, argv[3], &packet->roc) != napi_ok ||
      napi_get_value_uint32(env, argv[4], &packet->sequence) != napi_ok)
    return throw_last_error(env), false;
  if (packet->sender->fd < 0) return throw_range(env, "setDestination() was not called, or the sender is closed"), false;
  if (packet->payload_length > MAX_PAYLOAD || packet->header_length < 12 || packet->header_length > INT32_MAX)
    return throw_range(env, "the header or payload length is out of range"), false;
  packet->scratch = scratch_of(env);
  if (!packet->scratch) return throw_range(env, "the module was not initialised"), false;
  return true;
}

// Encrypts and sends at once with sendmsg; the bytes sent or -errno.
static int32_t send_now(PacketArguments *packet) {
  SrtpSender *sender = packet->sender;
  uint8_t *out = packet->scratch->ciphertext;
  if (!encrypt_packet(sender, packet->header, packet->header_length, packet->payload, packet->payload_length,
                      packet->roc, packet->sequence, out))
    return INT32_MIN;
  struct iovec parts[2] = {
      {.iov_base = packet->header, .iov_len = packet->header_length},
      {.iov_base = out, .iov_len = packet->payload_length + TAG_LENGTH},
  };
  struct msghdr message = {
      .msg_name = &sender->destination,
      .msg_namelen = sender->destination_length,
      .msg_iov = parts,
      .msg_iovlen = 2,
  };
  ssize_t sent;
  do {
    sent = sendmsg(sender->fd, &message, MSG_DONTWAIT);
  } while (sent < 0 && errno == EINTR);
  return sent < 0 ? -errno : (int32_t)sent;
}

static napi_value int_result(napi_env env, int32_t value) {
  if (value == INT32_MIN) {
    napi_throw_error(env, "ERR_MEDLEY_SRTP_CIPHER", "AES-128-GCM encryption failed in OpenSSL");
    return NULL;
  }
  napi_value result;
  CHECK(napi_create_int32(env, value, &result));
  return result;
}

// send(sender, header: Buffer, payload: Buffer, rolloverCounter: number, sequenceNumber: number)
//   => bytes sent, or -errno (the packet is dropped, as the network would)
static napi_value send_packet(napi_env env, napi_callback_info info) {
  PacketArguments packet;
  if (!packet_arguments(env, info, "send(sender, header, payload, rolloverCounter, sequenceNumber) takes five arguments", &packet))
    return NULL;
  return int_result(env, send_now(&packet));
}

// queue(sender, header, payload, rolloverCounter, sequenceNumber) => bytes queued (or, for a
// datagram too large to queue, sent at once: bytes sent or -errno). The caller must flush().
static napi_value queue_packet(napi_env env, napi_callback_info info) {
  PacketArguments packet;
  if (!packet_arguments(env, info, "queue(sender, header, payload, rolloverCounter, sequenceNumber) takes five arguments", &packet))
    return NULL;
  size_t length = packet.header_length + packet.payload_length + TAG_LENGTH;
  if (length > BATCH_SLOT) return int_result(env, send_now(&packet));
  Scratch *scratch = packet.scratch;
  if (scratch->queued == BATCH_SIZE) flush_batch(scratch);
  unsigned index = scratch->queued;
  uint8_t *datagram = scratch->datagrams[index];
  memcpy(datagram, packet.header, packet.header_length);
  SrtpSender *sender = packet.sender;
  if (!encrypt_packet(sender, packet.header, packet.header_length, packet.payload, packet.payload_length,
                      packet.roc, packet.sequence, datagram + packet.header_length))
    return int_result(env, INT32_MIN);
  BatchEntry *entry = &scratch->entries[index];
  entry->fd = sender->fd;
  entry->socket_id = sender->socket_id;
  memcpy(&entry->destination, &sender->destination, sender->destination_length);
  scratch->parts[index] = (struct iovec){.iov_base = datagram, .iov_len = length};
  scratch->messages[index] = (struct mmsghdr){
      .msg_hdr = {
          .msg_name = &entry->destination,
          .msg_namelen = sender->destination_length,
          .msg_iov = &scratch->parts[index],
          .msg_iovlen = 1,
      },
  };
  scratch->queued = index + 1;
  return int_result(env, (int32_t)length);
}

// flush() => how many queued datagrams the kernel refused (dropped, as the network would).
static napi_value flush_packets(napi_env env, napi_callback_info info) {
  (void)info;
  Scratch *scratch = scratch_of(env);
  if (!scratch) return throw_range(env, "the module was not initialised");
  return int_result(env, (int32_t)flush_batch(scratch));
}

// The one descriptor argument of duplicateDescriptor() and closeDescriptor(); false after throwing.
static bool descriptor_arg(napi_env env, napi_callback_info info, int32_t *fd) {
  size_t argc = 1;
  napi_value argv[1];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 1 ||
      napi_get_value_int32(env, argv[0], fd) != napi_ok) {
    throw_range(env, "takes one argument: a file descriptor");
    return false;
  }
  return true;
}

// duplicateDescriptor(fd: number): number — a descriptor of the same socket that stays valid when
// the original is closed: how a socket of the main thread is handed to a worker thread safely.
static napi_value duplicate_descriptor(napi_env env, napi_callback_info info) {
  int32_t fd;
  if (!descriptor_arg(env, info, &fd)) return NULL;
  int duplicate = fd < 0 ? -1 : fcntl(fd, F_DUPFD_CLOEXEC, 0);
  if (duplicate < 0) return throw_range(env, "the descriptor is not open");
  napi_value result;
  CHECK(napi_create_int32(env, duplicate, &result));
  return result;
}

// closeDescriptor(fd: number): void — closes a descriptor made by duplicateDescriptor().
static napi_value close_descriptor_function(napi_env env, napi_callback_info info) {
  int32_t fd;
  if (!descriptor_arg(env, info, &fd)) return NULL;
  if (fd < 0 || close(fd) != 0) return throw_range(env, "the descriptor is not open");
  return NULL;
}

static void free_scratch(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  Scratch *scratch = data;
  OPENSSL_cleanse(scratch, sizeof(*scratch));
  free(scratch);
}

static napi_value init(napi_env env, napi_value exports) {
  Scratch *scratch = calloc(1, sizeof(Scratch));
  if (!scratch) return throw_range(env, "out of memory");
  if (napi_set_instance_data(env, scratch, free_scratch, NULL) != napi_ok) {
    free(scratch);
    return NULL;
  }
  napi_property_descriptor functions[] = {
      {"createSender", NULL, create_sender, NULL, NULL, NULL, napi_enumerable, NULL},
      {"setDestination", NULL, set_destination, NULL, NULL, NULL, napi_enumerable, NULL},
      {"send", NULL, send_packet, NULL, NULL, NULL, napi_enumerable, NULL},
      {"queue", NULL, queue_packet, NULL, NULL, NULL, napi_enumerable, NULL},
      {"flush", NULL, flush_packets, NULL, NULL, NULL, napi_enumerable, NULL},
      {"close", NULL, close_sender, NULL, NULL, NULL, napi_enumerable, NULL},
      {"duplicateDescriptor", NULL, duplicate_descriptor, NULL, NULL, NULL, napi_enumerable, NULL},
      {"closeDescriptor", NULL, close_descriptor_function, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  if (napi_define_properties(env, exports, sizeof(functions) / sizeof(functions[0]), functions) != napi_ok)
    return NULL;
  return exports;
}

NAPI_MODULE_INIT() { return init(env, exports); }

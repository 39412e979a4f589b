import sodium from 'sodium-native';

/**
 * The format of a user-data file encrypted at rest on the simulated headset:
 *
 *   "HCE1" | class id length (1 byte) | class id | nonce (24) | file key wrapped by the class key
 *   (secretbox: 32 + 16) | secretstream header (24) | chunks: u32le length | XChaCha20-Poly1305 chunk
 *
 * Each file has its own random key, wrapped by its class's key; the contents are one libsodium
 * secretstream of chunks of at most 64 KiB, the last tagged FINAL, so truncation, reordering and
 * a changed byte are all found. Without the class key nothing of a file can be read: destroying
 * that one 32-byte key is the crypto-erase of every file of the class, whatever their size.
 */
export const CIPHER_MAGIC = Buffer.from('HCE1');
export const CHUNK_BYTES = 64 * 1024;
const KEY = sodium.crypto_secretstream_xchacha20poly1305_KEYBYTES;
const NONCE = sodium.crypto_secretbox_NONCEBYTES;
const WRAPPED = KEY + sodium.crypto_secretbox_MACBYTES;
const HEADER = sodium.crypto_secretstream_xchacha20poly1305_HEADERBYTES;
const ABYTES = sodium.crypto_secretstream_xchacha20poly1305_ABYTES;
const STATE = sodium.crypto_secretstream_xchacha20poly1305_STATEBYTES;
const TAG_MESSAGE = sodium.crypto_secretstream_xchacha20poly1305_TAG_MESSAGE;
const TAG_FINAL = sodium.crypto_secretstream_xchacha20poly1305_TAG_FINAL;

export class CipherError extends Error {
  constructor(
    readonly reason: 'not-encrypted' | 'other-class' | 'wrong-key' | 'corrupt' | 'truncated',
    message: string,
  ) {
    super(message);
  }
}

export function isEncryptedFile(head: Uint8Array): boolean {
  return head.length >= CIPHER_MAGIC.length && Buffer.from(head.subarray(0, CIPHER_MAGIC.length)).equals(CIPHER_MAGIC);
}

/** Encrypts a stream of plaintext chunks for one class: the file's header first, then each chunk as it comes. */
export class FileEncryptor {
  private readonly state = Buffer.alloc(STATE);
  readonly header: Buffer;

  constructor(classId: string, classKey: Buffer) {
    const id = Buffer.from(classId, 'utf8');
    if (id.length === 0 || id.length > 255) throw new Error(`class id ${classId} is not 1 to 255 bytes`);
    const fileKey = Buffer.alloc(KEY);
    sodium.randombytes_buf(fileKey);
    const nonce = Buffer.alloc(NONCE);
    sodium.randombytes_buf(nonce);
    const wrapped = Buffer.alloc(WRAPPED);
    sodium.crypto_secretbox_easy(wrapped, fileKey, nonce, classKey);
    const streamHeader = Buffer.alloc(HEADER);
    sodium.crypto_secretstream_xchacha20poly1305_init_push(this.state, streamHeader, fileKey);
    sodium.sodium_memzero(fileKey);
    this.header = Buffer.concat([CIPHER_MAGIC, Buffer.from([id.length]), id, nonce, wrapped, streamHeader]);
  }

  /** One chunk (at most CHUNK_BYTES) as it goes on disk: its length, then its ciphertext. */
  push(plain: Uint8Array, final: boolean): Buffer {
    if (plain.length > CHUNK_BYTES) throw new Error('chunk too large');
    const out = Buffer.alloc(4 + plain.length + ABYTES);
    out.writeUInt32LE(plain.length + ABYTES, 0);
    sodium.crypto_secretstream_xchacha20poly1305_push(
      this.state,
      out.subarray(4),
      Buffer.from(plain.buffer, plain.byteOffset, plain.length),
      null,
      final ? TAG_FINAL : TAG_MESSAGE,
    );
    return out;
  }
}

/** A whole buffer, encrypted for its class. */
export function encryptBuffer(classId: string, classKey: Buffer, plain: Uint8Array): Buffer {
  const encryptor = new FileEncryptor(classId, classKey);
  const parts = [encryptor.header];
  if (plain.length === 0) parts.push(encryptor.push(Buffer.alloc(0), true));
  for (let at = 0; at < plain.length; at += CHUNK_BYTES) {
    const end = Math.min(plain.length, at + CHUNK_BYTES);
    parts.push(encryptor.push(plain.subarray(at, end), end === plain.length));
  }
  return Buffer.concat(parts);
}

/** The class a ciphertext says it belongs to (readable without any key). */
export function classOfCiphertext(file: Uint8Array): string {
  if (!isEncryptedFile(file)) throw new CipherError('not-encrypted', 'not an encrypted user-data file');
  const length = file[CIPHER_MAGIC.length]!;
  return Buffer.from(file.subarray(CIPHER_MAGIC.length + 1, CIPHER_MAGIC.length + 1 + length)).toString('utf8');
}

/** Decrypts a whole file of `classId` with its class key; every failure is a CipherError. */
export function decryptBuffer(classId: string, classKey: Buffer, file: Uint8Array): Buffer {
  const owner = classOfCiphertext(file);
  if (owner !== classId) throw new CipherError('other-class', `the file belongs to class ${owner}, not ${classId}`);
  let at = CIPHER_MAGIC.length + 1 + Buffer.byteLength(owner);
  const bytes = Buffer.from(file.buffer, file.byteOffset, file.length);
  if (bytes.length < at + NONCE + WRAPPED + HEADER) throw new CipherError('truncated', 'the file ends inside its header');
  const nonce = bytes.subarray(at, (at += NONCE));
  const wrapped = bytes.subarray(at, (at += WRAPPED));
  const streamHeader = bytes.subarray(at, (at += HEADER));
  const fileKey = Buffer.alloc(KEY);
  if (!sodium.crypto_secretbox_open_easy(fileKey, wrapped, nonce, classKey))
    throw new CipherError('wrong-key', `the key of class ${classId} does not open this file`);
  const state = Buffer.alloc(STATE);
  sodium.crypto_secretstream_xchacha20poly1305_init_pull(state, streamHeader, fileKey);
  sodium.sodium_memzero(fileKey);
  const parts: Buffer[] = [];
  const tag = Buffer.alloc(1);
  for (;;) {
    if (at + 4 > bytes.length) throw new CipherError('truncated', 'the file ends before its last chunk');
    const length = bytes.readUInt32LE(at);
    at += 4;
    if (length < ABYTES || length > CHUNK_BYTES + ABYTES || at + length > bytes.length) throw new CipherError('corrupt', 'a chunk length is wrong');
    const plain = Buffer.alloc(length - ABYTES);
    try {
      sodium.crypto_secretstream_xchacha20poly1305_pull(state, plain, tag, bytes.subarray(at, at + length), null);
    } catch {
      throw new CipherError('corrupt', 'a chunk does not authenticate');
    }
    at += length;
    parts.push(plain);
    if (tag[0] === TAG_FINAL) {
      if (at !== bytes.length) throw new CipherError('corrupt', 'bytes follow the last chunk');
      return Buffer.concat(parts);
    }
  }
}

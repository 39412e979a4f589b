// The part of sodium-native's API that Headset Control uses (the package ships no types).
declare module 'sodium-native' {
  const sodium: {
    crypto_sign_PUBLICKEYBYTES: number;
    crypto_sign_SECRETKEYBYTES: number;
    crypto_sign_BYTES: number;
    crypto_sign_SEEDBYTES: number;
    crypto_sign_keypair(publicKey: Buffer, secretKey: Buffer): void;
    crypto_sign_seed_keypair(publicKey: Buffer, secretKey: Buffer, seed: Buffer): void;
    crypto_sign_detached(signature: Buffer, message: Buffer, secretKey: Buffer): void;
    crypto_sign_verify_detached(signature: Buffer, message: Buffer, publicKey: Buffer): boolean;
    sodium_memzero(buffer: Buffer): void;
    // Argon2id password hashing (the PIN): the string form carries its salt and parameters.
    crypto_pwhash_STRBYTES: number;
    crypto_pwhash_STRPREFIX: string;
    crypto_pwhash_OPSLIMIT_MIN: number;
    crypto_pwhash_MEMLIMIT_MIN: number;
    crypto_pwhash_OPSLIMIT_INTERACTIVE: number;
    crypto_pwhash_MEMLIMIT_INTERACTIVE: number;
    crypto_pwhash_str_async(out: Buffer, password: Buffer, opslimit: number, memlimit: number): Promise<void>;
    crypto_pwhash_str_verify_async(hash: Buffer, password: Buffer): Promise<boolean>;
  };
  export default sodium;
}

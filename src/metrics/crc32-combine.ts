/**
 * CRC-32 of A‖B from crc(A), crc(B) and len(B), as zlib's crc32_combine does (Mark Adler's GF(2) matrix
 * method), which Node does not expose. It lets the gzip trailer of a body made of separately compressed
 * segments be computed without the segments' text.
 */

function timesMatrix(matrix: Uint32Array, vector: number): number {
  let sum = 0;
  for (let i = 0; vector !== 0; i++, vector >>>= 1) if (vector & 1) sum ^= matrix[i] as number;
  return sum >>> 0;
}

function squareMatrix(square: Uint32Array, matrix: Uint32Array): void {
  for (let n = 0; n < 32; n++) square[n] = timesMatrix(matrix, matrix[n] as number);
}

export function crc32Combine(crcA: number, crcB: number, lengthB: number): number {
  if (lengthB <= 0) return crcA >>> 0;
  const even = new Uint32Array(32);
  const odd = new Uint32Array(32);
  odd[0] = 0xedb88320; // the CRC-32 polynomial: the operator for one zero bit
  for (let n = 1, row = 1; n < 32; n++, row <<= 1) odd[n] = row;
  squareMatrix(even, odd); // two zero bits
  squareMatrix(odd, even); // four zero bits
  let crc = crcA >>> 0;
  let length = lengthB;
  // Apply len(B) zero bytes to crc(A), one bit of the length at a time (the first square gives one byte).
  do {
    squareMatrix(even, odd);
    if (length % 2 === 1) crc = timesMatrix(even, crc);
    length = Math.floor(length / 2);
    if (length === 0) break;
    squareMatrix(odd, even);
    if (length % 2 === 1) crc = timesMatrix(odd, crc);
    length = Math.floor(length / 2);
  } while (length !== 0);
  return (crc ^ crcB) >>> 0;
}

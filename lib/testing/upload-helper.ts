// Drives the real upload protocol (begin → parts → complete) from tests and the bench.
import { completeUpload } from "@/lib/upload-completion";
import { PART_SIZE, beginUpload, putPart } from "@/lib/uploads";

export async function uploadBytes({ ownerId, name, bytes }: { ownerId: string; name: string; bytes: Buffer }) {
  const { uploadId, partCount } = await beginUpload({ ownerId, name, size: bytes.length });
  for (let i = 0; i < partCount; i++) {
    await putPart({ ownerId, uploadId, index: i, bytes: bytes.subarray(i * PART_SIZE, (i + 1) * PART_SIZE) });
  }
  return completeUpload({ ownerId, uploadId });
}

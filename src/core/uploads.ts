/**
 * Files carried by a multipart request (§5.5), between the HTTP transport that parses them and the method that
 * attaches them. The transport hands each file part to a `StageFile` function (the call path's, which streams it
 * to blob storage) and puts the resulting `UploadedFiles` in the method's params. JSON can never produce an
 * instance of this class, so no batch call or JSON body can claim files it did not upload.
 */
import * as v from 'valibot';

/** A file part as it arrives: its bytes not read yet. */
export interface IncomingFile {
  fileName: string;
  /** Content-Type of the part (`application/octet-stream` when absent). */
  type: string;
  body: ReadableStream<Uint8Array>;
}

/** A file stored under its final key, not yet referenced by any event (its upload is still journaled). */
export interface StagedFile {
  id: string;
  key: string;
  fileName: string;
  type: string;
  size: number;
  /** `sha256-{base64}` (subresource-integrity form, §4.6). */
  integrity: string;
}

export type StageFile = (file: IncomingFile) => Promise<StagedFile>;

/** The files of one request, staged under one upload journal entry (`uploadId`). */
export class UploadedFiles {
  constructor(
    readonly uploadId: string,
    readonly files: readonly StagedFile[],
  ) {}
}

/** Params schema of the files a method receives from a multipart request. */
export const uploadedFilesSchema = v.custom<UploadedFiles>(
  (input) => input instanceof UploadedFiles,
  'Attachments can only be sent as files of a multipart/form-data request.',
);

/** The byte range of a download (`Range: bytes=…`), already checked against the file's size. */
export interface ByteRange {
  offset: number;
  length: number;
}

/** A method answer that is a file, not a JSON envelope (`events.getAttachment`). */
export interface FileBody {
  type: string;
  size: number;
  /** Base64 SHA-256 of the whole file (the `Digest` header). */
  sha256: string;
  fileName: string;
  /** Opens the bytes, all or a range; null when the stored object is gone. */
  open(range?: ByteRange): Promise<ReadableStream<Uint8Array> | null>;
}

/** What a transport reading a multipart body is handed: where each file goes, and the params' value at the end. */
export interface FileStager {
  stage: StageFile;
  result(): UploadedFiles;
}

/** Small genuine files of each kind for upload tests (magic numbers as real files have them). */
export const FIXTURES = {
  /** A 1×1 PNG. */
  png: Buffer.from(
    'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
    'base64',
  ),
  /** JFIF header of a JPEG. */
  jpeg: Buffer.concat([
    Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10]),
    Buffer.from('JFIF\0', 'latin1'),
    Buffer.from([0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0xff, 0xd9]),
  ]),
  /** A 1×1 GIF. */
  gif: Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64'),
  pdf: Buffer.from(
    '%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n',
    'latin1',
  ),
  /** The start of a Windows executable (DOS "MZ" header with its PE pointer). */
  exe: Buffer.concat([
    Buffer.from('MZ', 'latin1'),
    Buffer.from([0x90, 0x00, 0x03, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0xff, 0xff]),
    Buffer.alloc(64),
  ]),
  /** A ZIP local file header. */
  zip: Buffer.concat([
    Buffer.from('PK\x03\x04', 'latin1'),
    Buffer.from([0x14, 0x00, 0x00, 0x00, 0x08, 0x00]),
    Buffer.alloc(40),
  ]),
  svgWithScript: Buffer.from(
    '<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(document.domain)"><script>alert(1)</script><rect width="10" height="10"/></svg>',
  ),
  html: Buffer.from(
    '<!doctype html><html><body><script>fetch("/steal?c="+document.cookie)</script></body></html>',
  ),
}

/**
 * The images a compose file runs (`services.*.image`), read from the file itself so the
 * pre-flight checks exactly what `docker compose up` would need.
 */
import { readFile } from 'node:fs/promises';
import { isMap, parseDocument } from 'yaml';

/** The image references of a compose file's services, in file order. */
export async function composeImages(file: string): Promise<string[]> {
  const doc = parseDocument(await readFile(file, 'utf8'));
  const services = doc.get('services');
  if (!isMap(services)) return [];
  const images: string[] = [];
  for (const pair of services.items) {
    const service = pair.value;
    if (!isMap(service)) continue;
    const image = service.get('image');
    if (typeof image === 'string' && !images.includes(image)) images.push(image);
  }
  return images;
}

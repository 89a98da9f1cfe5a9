/** Video lessons: which lessons are videos, and the service's player page of one. */
import { courseHomeUrl } from './upgrade';

const VIDEO = /\.(mp4|webm)$/i;

/** A video lesson: `kind: video` in the course file, or a video file (as the school decides). */
export function isVideo(lesson: { file: string; kind?: string }): boolean {
  return lesson.kind === 'video' || VIDEO.test(lesson.file);
}

/** The player page: it plays the video and reports what was watched. */
export function watchUrl(course: string, file: string): string {
  return `${courseHomeUrl(course)}watch?file=${encodeURIComponent(file)}`;
}

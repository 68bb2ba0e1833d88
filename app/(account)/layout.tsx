// The same signed-in shell as the gallery's: one header, one session check per request.
export { default } from "@/app/(gallery)/layout";
